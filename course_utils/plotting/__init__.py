"""Pictures for the lessons: images, pixel values, kernels, feature maps, and what training produced
(learning curves, a confusion matrix, the most confidently wrong images, first-layer filters,
the relative errors of a gradient check).

Every function draws and returns its Figure or Axes. None calls ``plt.show()``: the notebook shows
the figures at the end of the cell (end the line with ``;`` to avoid a second copy of a returned
Figure). Functions that need a convolution take the student's own as ``conv_fn``.

- :mod:`~course_utils.plotting.primitives`: one image, printed values, colour scales, grids of panels;
- :mod:`~course_utils.plotting.lessons`: the pictures of the lessons on pixels, convolution and pooling;
- :mod:`~course_utils.plotting.training`: the pictures of a trained model and of a gradient check.
"""

from __future__ import annotations

from course_utils.plotting.lessons import (
    show_before_after,
    show_feature_maps,
    show_image_values,
    show_images,
    show_kernel_gallery,
)
from course_utils.plotting.primitives import show_image
from course_utils.plotting.training import (
    show_confusion_matrix,
    show_filters,
    show_gradient_errors,
    show_misclassified,
    show_training_curves,
)

__all__ = [
    "show_before_after",
    "show_confusion_matrix",
    "show_feature_maps",
    "show_filters",
    "show_gradient_errors",
    "show_image",
    "show_image_values",
    "show_images",
    "show_kernel_gallery",
    "show_misclassified",
    "show_training_curves",
]
