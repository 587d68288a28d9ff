"""StreamField blocks of a guidance module, each rendering to clean typed JSON for the API.

A frontend receives rich text as HTML with real links (never Wagtail's `linktype` markup) and
images as rendition URLs (never database ids it cannot use).
"""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "document-link"]


class ApiRichTextBlock(blocks.RichTextBlock):
    """Rich text whose API form is front-end ready HTML (internal links resolved to URLs)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def get_api_representation(self, value, context=None):
        return expand_db_html(value.source)


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label="Titre de l'étape")
    text = ApiRichTextBlock(label="Ce qu'il faut faire")

    class Meta:
        icon = "list-ol"
        label = "Étape"


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label="Titre", default="C'est fait si…")
    items = blocks.ListBlock(blocks.CharBlock(max_length=250), label="Points à cocher", min_num=1)

    class Meta:
        icon = "tasks"
        label = "Liste de vérification"


class ResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160, label="Titre")
    url = blocks.URLBlock(label="Adresse")
    description = blocks.TextBlock(required=False, label="En deux mots")

    class Meta:
        icon = "link-external"
        label = "Ressource externe"


class VideoBlock(blocks.StructBlock):
    url = EmbedBlock(label="Vidéo (YouTube, Vimeo, Dailymotion…)")
    caption = blocks.CharBlock(required=False, max_length=200, label="Légende")

    class Meta:
        icon = "media"
        label = "Vidéo"

    def get_api_representation(self, value, context=None):
        embed = value.get("url")
        return {"url": embed.url if embed is not None else None, "caption": value.get("caption", "")}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="Image")
    alt = blocks.CharBlock(
        max_length=200, label="Texte alternatif", help_text="Décrit l'image pour les lecteurs d'écran."
    )
    caption = blocks.CharBlock(required=False, max_length=200, label="Légende")

    RENDITIONS = {"small": "max-480x480", "medium": "max-960x960", "large": "max-1600x1600"}

    class Meta:
        icon = "image"
        label = "Image"

    def get_api_representation(self, value, context=None):
        image = value.get("image")
        renditions = {}
        if image is not None:
            for name, spec in self.RENDITIONS.items():
                rendition = image.get_rendition(spec)
                renditions[name] = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
        return {"alt": value.get("alt", ""), "caption": value.get("caption", ""), "renditions": renditions}


class FactBlock(blocks.StructBlock):
    """A dated or legal claim and the keys of the module's sources that state it."""

    text = ApiRichTextBlock(label="L'information (date, montant, obligation)")
    sources = blocks.ListBlock(
        blocks.CharBlock(max_length=60, label="Clé de source"),
        label="Sources",
        min_num=1,
        help_text="Les clés des sources du module (onglet « Sources ») qui établissent cette information.",
    )

    class Meta:
        icon = "doc-full"
        label = "Information datée ou légale"


class ModuleBodyBlock(blocks.StreamBlock):
    text = ApiRichTextBlock(label="Texte", icon="pilcrow")
    step = StepBlock()
    checklist = ChecklistBlock()
    tip = ApiRichTextBlock(label="Astuce", icon="help")
    warning = ApiRichTextBlock(label="Attention", icon="warning")
    video = VideoBlock()
    resource = ResourceBlock()
    image = ImageBlock()
    fact = FactBlock()
    # Illustrative only: the frontend prefixes it with « Exemple : » (no invented testimonials, no names).
    example = ApiRichTextBlock(label="Exemple (illustratif)", icon="openquote")

    class Meta:
        block_counts = {"step": {"min_num": 3}}
