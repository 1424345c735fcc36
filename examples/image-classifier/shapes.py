"""Draws the synthetic shapes of this example: 28x28 grayscale images (uint8) of a circle, a cross, a square or a
triangle, each at a random place, size, rotation and brightness, with random speckles. Only numpy; the same
seed gives the same images, byte for byte, with the numpy of the base image.
"""
import numpy as np

SIZE = 28
CLASSES = ("circle", "cross", "square", "triangle")


def _rotated(ys, xs, cy, cx, angle):
    """Pixel coordinates relative to (cy, cx), rotated by -angle: a shape drawn upright in them is rotated by angle."""
    dy, dx = ys - cy, xs - cx
    c, s = np.cos(angle), np.sin(angle)
    return c * dy + s * dx, -s * dy + c * dx


def draw(label, rng):
    """One image of class index `label` as a float array in [0, 1]."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5
    radius = rng.uniform(7.0, 11.0)
    cy, cx = rng.uniform(radius + 1, SIZE - radius - 1, size=2)
    v, u = _rotated(ys, xs, cy, cx, rng.uniform(0, np.pi / 2))
    name = CLASSES[label]
    if name == "circle":
        mask = v ** 2 + u ** 2 <= radius ** 2
    elif name == "cross":
        arm = radius * 0.3
        mask = ((np.abs(v) <= arm) & (np.abs(u) <= radius)) | ((np.abs(u) <= arm) & (np.abs(v) <= radius))
    elif name == "square":
        half = radius * 0.8
        mask = (np.abs(v) <= half) & (np.abs(u) <= half)
    else:  # an upright equilateral triangle: inside its three edges
        k = np.sqrt(3.0)
        mask = (v <= radius / 2) & (k * u - v <= radius) & (-k * u - v <= radius)
    image = np.full((SIZE, SIZE), rng.uniform(0.0, 0.15))
    image[mask] += rng.uniform(0.55, 0.85)
    # Speckles rather than Gaussian noise on every pixel: as hard for the model, and the data compresses to a
    # tenth of the size (it is committed).
    speckles = rng.random((SIZE, SIZE)) < 0.02
    image[speckles] = rng.uniform(0.0, 1.0, size=int(speckles.sum()))
    return image


def generate(count_per_class, seed):
    """(images uint8 [n, 28, 28], labels int64 [n]), classes interleaved in a seeded order."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), count_per_class)
    labels = labels[rng.permutation(len(labels))]
    images = np.stack([np.rint(draw(int(y), rng) * 255).astype(np.uint8) for y in labels])
    return images, labels.astype(np.int64)
