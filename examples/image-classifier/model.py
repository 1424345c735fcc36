"""The network of this example: a small CNN for 1x28x28 images (about 105,000 parameters)."""
import torch
from torch import nn


class ShapeNet(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 16 x 14 x 14
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 32 x 7 x 7
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for a batch of images [n, 1, 28, 28] scaled to [0, 1]."""
        return self.classifier(self.features(images))
