"""Brand colours that keep WCAG 2.2 AA contrast whatever the provider picks."""

WHITE = "#ffffff"
INK = "#1b1f24"
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White or ink, whichever reads better on the background."""
    return WHITE if contrast(background, WHITE) >= contrast(background, INK) else INK


def ink_on_white(colour: str) -> str:
    """The colour itself when it is readable as text on white, else the closest darker shade that is."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    shade = colour
    while contrast(shade, WHITE) < AA_NORMAL_TEXT:
        r, g, b = (int(v * 0.9) for v in (r, g, b))
        shade = f"#{r:02x}{g:02x}{b:02x}"
    return shade
