"""The demo's hero images, drawn with Pillow (nothing is downloaded): a flat, abstract illustration
per story, as a newsroom's graphics desk would make when it has no photograph.

`draw(scene)` gives a JPEG of 1600×900 (16:9), the same bytes at every run. Each scene is drawn at
twice that size and reduced, which smooths its edges.
"""

import math
import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

SIZE = (1600, 900)
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges
W, H = SIZE[0] * SCALE, SIZE[1] * SCALE


def draw(scene: str) -> bytes:
    """The picture of `scene` (a key of SCENES) as a JPEG."""
    canvas = SCENES[scene](random.Random(scene))
    out = BytesIO()
    canvas.convert("RGB").reduce(SCALE).save(out, "JPEG", quality=90)
    return out.getvalue()


def gradient(top: str, bottom: str, size=(W, H)) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGBA", size, bottom), Image.new("RGBA", size, top), mask)


def layer() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A transparent layer to draw on, and its pen."""
    image = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    return image, ImageDraw.Draw(image)


def soft(canvas: Image.Image, shapes, blur: int, colour: tuple) -> None:
    """Lay `shapes` (a function drawing with a pen, in the canvas's coordinates) blurred on `canvas`.
    They are drawn and blurred at a quarter of the size: a wide blur at full size is slow. Around
    them lies their `colour`, transparent: a blur into transparent black would darken their edges."""
    light = Image.new("RGBA", (W // 4, H // 4), (*colour[:3], 0))
    pen = ImageDraw.Draw(light)
    shapes(Quarter(pen))
    canvas.alpha_composite(
        light.filter(ImageFilter.GaussianBlur(blur / 4)).resize((W, H), Image.Resampling.BILINEAR)
    )


class Quarter:
    """A pen that draws at a quarter of the coordinates it is given."""

    def __init__(self, pen: ImageDraw.ImageDraw):
        self.pen = pen

    def ellipse(self, box, **options):
        self.pen.ellipse([v / 4 for v in box], **options)

    def polygon(self, points, **options):
        self.pen.polygon([(x / 4, y / 4) for x, y in points], **options)


def glow(canvas: Image.Image, spots: list[tuple[float, float, float, tuple]], blur: int) -> None:
    """Soft light around each (x, y, radius, colour) of `spots`."""

    def shapes(pen):
        for x, y, r, colour in spots:
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    soft(canvas, shapes, blur, spots[0][3])


def waves(pen, top: float, colour, *, amplitude: float, length: float, phase: float) -> None:
    points = [(x, top + amplitude * math.sin(x / length + phase)) for x in range(0, W + 40, 40)]
    pen.polygon([*points, (W, H), (0, H)], fill=colour)


def shelters(rng: random.Random) -> Image.Image:
    """A town map with shelters marked green, yellow and red, and a phone showing the same."""
    canvas = gradient("#e6eef0", "#d3e2e6")
    streets, pen = layer()
    for n in range(-8, 30):
        x = n * 170
        pen.line((x, 0, x + 700, H), fill=(255, 255, 255, 200), width=18 if n % 4 else 34)
        pen.line((0, n * 140, W, n * 140 - 500), fill=(255, 255, 255, 170), width=14 if n % 3 else 30)
    pen.polygon([(0, H * 0.72), (W * 0.35, H * 0.8), (W * 0.6, H), (0, H)], fill=(126, 176, 204, 255))
    canvas.alpha_composite(streets)
    dots, pen = layer()
    colours = [(46, 160, 96), (46, 160, 96), (240, 182, 42), (222, 74, 60)]
    for _ in range(14):
        x, y = rng.uniform(120, W * 0.6), rng.uniform(120, H * 0.7)
        colour = rng.choice(colours)
        pen.ellipse((x - 90, y - 90, x + 90, y + 90), fill=(*colour, 60))
        pen.ellipse((x - 38, y - 38, x + 38, y + 38), fill=(255, 255, 255, 255))
        pen.ellipse((x - 28, y - 28, x + 28, y + 28), fill=(*colour, 255))
    canvas.alpha_composite(dots)
    phone, pen = layer()
    left, top = W * 0.68, H * 0.12
    pen.rounded_rectangle((left, top, left + 620, top + 1260), radius=90, fill=(33, 43, 54, 255))
    pen.rounded_rectangle((left + 34, top + 60, left + 586, top + 1200), radius=50, fill=(247, 250, 250, 255))
    for row, colour in enumerate([colours[0], colours[2], colours[3], colours[0], colours[2]]):
        y = top + 150 + row * 200
        pen.ellipse((left + 80, y, left + 160, y + 80), fill=(*colour, 255))
        pen.rounded_rectangle((left + 200, y + 10, left + 520, y + 34), radius=12, fill=(190, 200, 206, 255))
        pen.rounded_rectangle(
            (left + 200, y + 52, left + 200 + rng.randint(100, 300), y + 70), radius=9, fill=(*colour, 200)
        )
    canvas.alpha_composite(phone)
    return canvas


def market(rng: random.Random) -> Image.Image:
    """Striped awnings of a morning market under a rising sun, crates of fruit below."""
    canvas = gradient("#fde4c4", "#fff6e0")
    glow(canvas, [(W * 0.78, H * 0.3, 260, (255, 190, 90, 200))], 60)
    stalls, pen = layer()
    pen.ellipse((W * 0.78 - 170, H * 0.3 - 170, W * 0.78 + 170, H * 0.3 + 170), fill=(255, 170, 70, 255))
    stripes = [(200, 62, 52), (46, 125, 90), (36, 96, 160), (226, 140, 40)]
    width = W / 4
    for n, colour in enumerate(stripes):
        left, top = n * width, H * (0.38 + 0.05 * (n % 2))
        pen.rectangle((left + 30, top + 150, left + width - 30, H), fill=(120, 84, 60, 255))
        for k in range(8):
            fill = (*colour, 255) if k % 2 == 0 else (255, 250, 240, 255)
            x0 = left + k * width / 8
            pen.polygon(
                [(x0, top), (x0 + width / 8, top), (x0 + width / 8, top + 170), (x0, top + 170)], fill=fill
            )
            pen.pieslice((x0, top + 110, x0 + width / 8, top + 230), 0, 180, fill=fill)
        for _ in range(26):
            x, y = rng.uniform(left + 80, left + width - 80), rng.uniform(H * 0.78, H * 0.92)
            r = rng.uniform(26, 40)
            fruit = rng.choice([(230, 80, 50), (250, 170, 40), (120, 170, 60), (245, 210, 70)])
            pen.ellipse((x - r, y - r, x + r, y + r), fill=(*fruit, 255))
        pen.rectangle((left + 50, H * 0.9, left + width - 50, H), fill=(168, 120, 76, 255))
    canvas.alpha_composite(stalls)
    return canvas


def library(rng: random.Random) -> Image.Image:
    """A library at night: tall lit windows, shelves of books inside, a crescent moon."""
    canvas = gradient("#0f1c3d", "#283c6b")
    sky, pen = layer()
    for _ in range(90):
        x, y, r = rng.uniform(0, W), rng.uniform(0, H * 0.4), rng.uniform(2, 6)
        pen.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 240, rng.randint(120, 230)))
    pen.ellipse((W * 0.85, 120, W * 0.85 + 220, 340), fill=(250, 236, 190, 255))
    pen.ellipse((W * 0.85 + 70, 90, W * 0.85 + 290, 310), fill=(0, 0, 0, 0))
    canvas.alpha_composite(sky)
    house, pen = layer()
    pen.rectangle((0, H * 0.32, W, H), fill=(36, 44, 70, 255))
    pen.polygon([(0, H * 0.32), (W / 2, H * 0.16), (W, H * 0.32)], fill=(46, 56, 88, 255))
    for n in range(4):
        left = W * (0.1 + 0.2 * n)
        pen.rounded_rectangle(
            (left, H * 0.42, left + W * 0.16, H * 0.92), radius=40, fill=(255, 214, 140, 255)
        )
        shelf_top = H * 0.52
        for row in range(4):
            y = shelf_top + row * 150
            x = left + 30
            while x < left + W * 0.16 - 60:
                spine = rng.uniform(22, 44)
                colour = rng.choice(
                    [(150, 70, 60), (60, 100, 140), (200, 150, 70), (90, 120, 80), (120, 80, 120)]
                )
                pen.rectangle((x, y + rng.uniform(10, 45), x + spine, y + 120), fill=(*colour, 255))
                x += spine + 6
            pen.rectangle((left + 20, y + 120, left + W * 0.16 - 20, y + 132), fill=(140, 100, 60, 255))
    canvas.alpha_composite(house)
    return canvas


def policy(rng: random.Random) -> Image.Image:
    """Sheets of a written policy, and a network of points that stands for the machine."""
    canvas = gradient("#eef1f4", "#dfe5ea")
    net, pen = layer()
    points = [(rng.uniform(W * 0.5, W * 0.95), rng.uniform(H * 0.1, H * 0.9)) for _ in range(22)]
    for a in points:
        for b in points:
            if a < b and math.dist(a, b) < 520:
                pen.line((*a, *b), fill=(52, 96, 160, 110), width=6)
    for x, y in points:
        pen.ellipse((x - 26, y - 26, x + 26, y + 26), fill=(52, 96, 160, 255))
        pen.ellipse((x - 12, y - 12, x + 12, y + 12), fill=(255, 255, 255, 255))
    canvas.alpha_composite(net)
    for n, angle in enumerate((-8, 4, -2)):
        sheet = Image.new("RGBA", (1000, 1380), (255, 255, 255, 255))
        pen = ImageDraw.Draw(sheet)
        pen.rectangle((0, 0, 999, 1379), outline=(200, 206, 212, 255), width=4)
        pen.rectangle((90, 110, 600, 150), fill=(40, 48, 60, 255))
        for line in range(14):
            length = 820 if line % 5 != 4 else rng.randint(380, 640)
            y = 240 + line * 72
            pen.rectangle((90, y, 90 + length, y + 22), fill=(176, 184, 194, 255))
        if n == 2:
            pen.line((700, 1220, 760, 1280, 880, 1140), fill=(46, 150, 96, 255), width=30)
        turned = sheet.rotate(angle, expand=True, resample=Image.Resampling.BILINEAR)
        canvas.alpha_composite(turned, dest=(round(W * (0.1 + 0.07 * n)), round(H * (0.1 + 0.04 * n))))
    return canvas


def tide(rng: random.Random) -> Image.Image:
    """The sea against a gauge's pole, its rising and falling drawn as a line."""
    canvas = gradient("#bfe3f2", "#eaf6fb")
    sea, pen = layer()
    for n, colour in enumerate([(120, 190, 220), (70, 150, 200), (40, 110, 170), (24, 80, 140)]):
        waves(
            pen, H * (0.5 + 0.1 * n), (*colour, 255), amplitude=30 + 6 * n, length=180 + 40 * n, phase=n * 1.7
        )
    canvas.alpha_composite(sea)
    gauge, pen = layer()
    x = W * 0.24
    pen.rectangle((x, H * 0.12, x + 70, H), fill=(250, 250, 246, 255), outline=(60, 70, 80, 255), width=6)
    for k in range(18):
        y = H * 0.16 + k * 80
        pen.rectangle((x, y, x + (70 if k % 5 == 0 else 40), y + 10), fill=(200, 60, 50, 255))
    pen.rounded_rectangle((x - 60, H * 0.08, x + 130, H * 0.16), radius=20, fill=(240, 170, 40, 255))
    line = [(x + 260 + k * 40, H * 0.3 + 150 * math.sin(k / 6) + rng.uniform(-12, 12)) for k in range(62)]
    pen.line(line, fill=(255, 255, 255, 255), width=14, joint="curve")
    for px, py in line[::10]:
        pen.ellipse((px - 18, py - 18, px + 18, py + 18), fill=(200, 60, 50, 255))
    canvas.alpha_composite(gauge)
    return canvas


def lanterns(rng: random.Random) -> Image.Image:
    """Lantern boats drifting on a dark harbour, each light doubled in the water."""
    canvas = gradient("#141a3a", "#3a2a58")
    water, pen = layer()
    pen.rectangle((0, H * 0.42, W, H), fill=(14, 22, 48, 255))
    pen.polygon(
        [(0, H * 0.42), (W * 0.2, H * 0.36), (W * 0.4, H * 0.4), (W * 0.65, H * 0.33), (W, H * 0.42)],
        fill=(28, 30, 60, 255),
    )
    for _ in range(120):
        y = rng.uniform(H * 0.45, H)
        x = rng.uniform(0, W)
        pen.line((x, y, x + rng.uniform(60, 220), y), fill=(120, 140, 200, 70), width=4)
    canvas.alpha_composite(water)
    boats = [(rng.uniform(80, W - 80), rng.uniform(H * 0.5, H * 0.95)) for _ in range(34)]
    boats.sort(key=lambda boat: boat[1])
    glow(canvas, [(x, y, 70 + y / 30, (255, 170, 70, 150)) for x, y in boats], 40)
    lights, pen = layer()
    for x, y in boats:
        r = 14 + y / 110
        pen.ellipse((x - r * 0.8, y + r * 1.4, x + r * 0.8, y + r * 5), fill=(255, 170, 80, 90))
        pen.rectangle((x - r * 1.4, y + r * 0.8, x + r * 1.4, y + r * 1.3), fill=(90, 60, 40, 255))
        pen.rounded_rectangle(
            (x - r * 0.7, y - r * 1.1, x + r * 0.7, y + r * 0.8), radius=r / 3, fill=(255, 214, 130, 255)
        )
    canvas.alpha_composite(lights)
    return canvas


def bus(rng: random.Random) -> Image.Image:
    """Two bus routes on a transit map, their stops marked, a bus on its way."""
    canvas = gradient("#f6f3ec", "#ece6da")
    routes, pen = layer()
    for n in range(0, W, 160):
        pen.line((n, 0, n, H), fill=(226, 220, 208, 255), width=4)
    for n in range(0, H, 160):
        pen.line((0, n, W, n), fill=(226, 220, 208, 255), width=4)
    lines = {
        (0, 150, 136): [
            (0, H * 0.3),
            (W * 0.3, H * 0.3),
            (W * 0.45, H * 0.5),
            (W * 0.8, H * 0.5),
            (W, H * 0.7),
        ],
        (232, 120, 40): [
            (W * 0.1, H),
            (W * 0.1, H * 0.7),
            (W * 0.35, H * 0.45),
            (W * 0.6, H * 0.45),
            (W * 0.6, 0),
        ],
    }
    for colour, path in lines.items():
        pen.line(path, fill=(*colour, 255), width=44, joint="curve")
    for colour, path in lines.items():
        for a, b in zip(path, path[1:], strict=False):
            for t in (0.25, 0.75):
                x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
                pen.ellipse(
                    (x - 34, y - 34, x + 34, y + 34),
                    fill=(255, 255, 255, 255),
                    outline=(*colour, 255),
                    width=12,
                )
    left, top = W * 0.62, H * 0.66
    pen.rounded_rectangle((left, top, left + 760, top + 330), radius=60, fill=(36, 96, 160, 255))
    for k in range(5):
        pen.rounded_rectangle(
            (left + 50 + k * 135, top + 50, left + 160 + k * 135, top + 160),
            radius=16,
            fill=(210, 232, 246, 255),
        )
    for wheel in (left + 160, left + 600):
        pen.ellipse((wheel - 60, top + 270, wheel + 60, top + 390), fill=(40, 40, 44, 255))
    pen.rectangle((left + 40, top + 210, left + 720, top + 236), fill=(250, 200, 60, 255))
    canvas.alpha_composite(routes)
    return canvas


def ferry(rng: random.Random) -> Image.Image:
    """A night ferry crossing to an island, the lighthouse's beam over the water."""
    canvas = gradient("#0d1b33", "#2e4f7a")
    sky, pen = layer()
    for _ in range(140):
        x, y, r = rng.uniform(0, W), rng.uniform(0, H * 0.5), rng.uniform(2, 5)
        pen.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(90, 220)))
    canvas.alpha_composite(sky)
    tower = (W * 0.8, H * 0.34)
    light = (255, 240, 190, 70)
    soft(canvas, lambda pen: pen.polygon([tower, (0, H * 0.12), (0, H * 0.36)], fill=light), 24, light)
    land, pen = layer()
    pen.ellipse((W * 0.6, H * 0.4, W * 1.15, H * 0.7), fill=(18, 30, 48, 255))
    pen.polygon(
        [
            (tower[0] - 40, H * 0.5),
            (tower[0] - 24, tower[1]),
            (tower[0] + 24, tower[1]),
            (tower[0] + 40, H * 0.5),
        ],
        fill=(236, 236, 230, 255),
    )
    pen.ellipse((tower[0] - 36, tower[1] - 50, tower[0] + 36, tower[1] + 10), fill=(255, 232, 150, 255))
    pen.rectangle((0, H * 0.55, W, H), fill=(12, 26, 50, 255))
    for _ in range(80):
        x, y = rng.uniform(0, W), rng.uniform(H * 0.58, H)
        pen.line((x, y, x + rng.uniform(50, 180), y), fill=(120, 150, 200, 60), width=4)
    hull = [(W * 0.16, H * 0.66), (W * 0.52, H * 0.66), (W * 0.48, H * 0.76), (W * 0.2, H * 0.76)]
    pen.polygon(hull, fill=(232, 236, 240, 255))
    pen.rectangle((W * 0.22, H * 0.58, W * 0.44, H * 0.66), fill=(210, 216, 224, 255))
    pen.rectangle((W * 0.3, H * 0.52, W * 0.4, H * 0.58), fill=(200, 60, 50, 255))
    for k in range(8):
        x = W * 0.235 + k * 80
        pen.rounded_rectangle((x, H * 0.6, x + 46, H * 0.635), radius=8, fill=(255, 214, 120, 255))
    canvas.alpha_composite(land)
    return canvas


SCENES = {
    "shelters": shelters,
    "market": market,
    "library": library,
    "policy": policy,
    "tide": tide,
    "lanterns": lanterns,
    "bus": bus,
    "ferry": ferry,
}
