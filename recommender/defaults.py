"""The recommender's defaults, in one place: settings (`config.settings.RECOMMENDER`, where environment
variables override them), serving and training all read these. No Django import: settings import it."""

RECOMMENDER_DEFAULTS = {
    "ARTIFACT_DIR": "recommender/models",
    # Share of responses whose last slot goes to a module few merchants have been shown.
    "EXPLORATION_EPSILON": 0.1,
    # At most this many modules of one theme in a list (unless a theme is asked).
    "MAX_PER_THEME": 2,
    # Training refuses to run below these (the model would be noise).
    "MIN_MERCHANTS": 20,
    "MIN_EVENTS": 50,
    # Seconds before a worker tries again to load an artifact it could not read.
    "ARTIFACT_RETRY_SECONDS": 30.0,
}
