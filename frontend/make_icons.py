"""Draws the app's icons (PNG) into frontend/client/icons/: `python frontend/make_icons.py`.

The mark of the header (a white "E" on the calanque-blue gradient), drawn with shapes only, so the result is the
same on every machine (no font). Sizes: 192 and 512 (the manifest's "any"), 512 maskable (the mark inside the
80% safe zone, full-bleed background), 180 (apple-touch-icon) and 32 (favicon)."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "client" / "icons"
TOP, BOTTOM = (10, 92, 122), (27, 138, 168)  # --primary → #1b8aa8, as .brand__mark


def gradient(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / max(1, size - 1)
        draw.line([(0, y), (size, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)))
    return image


def draw_e(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    stroke = height * 0.17
    draw.rectangle([left, top, left + stroke, bottom], fill="white")
    draw.rectangle([left, top, right, top + stroke], fill="white")
    draw.rectangle([left, top + (height - stroke) / 2, left + width * 0.85, top + (height + stroke) / 2], fill="white")
    draw.rectangle([left, bottom - stroke, right, bottom], fill="white")


def icon(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    background = gradient(big)
    if maskable:
        image = background
        mark = big * 0.36  # well inside the 80% safe circle
    else:
        image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.22, fill=255)
        image.paste(background, (0, 0), mask)
        mark = big * 0.5
    draw = ImageDraw.Draw(image)
    offset = (big - mark) / 2
    draw_e(draw, (offset + mark * 0.12, offset, offset + mark * 0.88, offset + mark))
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),  # iOS draws its own rounded corners on an opaque square
        ("favicon-32.png", 32, False),
    ]:
        icon(size, maskable=maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
