"""How legible the navigation bar's logo is: its darkest ink against what shows behind it."""

# The logo's darkest opaque pixel (read through a canvas: the image is the
# hub's own, so same-origin) and the first opaque background colour from the
# image up through its ancestors, which is what the eye sees around the ink.
_MEASURE = """img => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = null;
  let darkest = Infinity;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] < 250) continue;
    const sum = data[i] + data[i + 1] + data[i + 2];
    if (sum < darkest) {
      darkest = sum;
      ink = [data[i], data[i + 1], data[i + 2]];
    }
  }
  let backdrop = null;
  for (let node = img; node && !backdrop; node = node.parentElement) {
    const match = getComputedStyle(node).backgroundColor.match(/[\\d.]+/g).map(Number);
    if (match.length === 3 || match[3] === 1) backdrop = match.slice(0, 3);
  }
  return {ink, backdrop: backdrop || [255, 255, 255]};
}"""


def _luminance(rgb):
    channels = [value / 255 for value in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """Return WCAG's contrast ratio of two sRGB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def logo_contrast(page):
    """Return the contrast of the logo's darkest ink on *page* with the colour behind it."""
    logo = page.locator("#jupyterhub-logo img")
    logo.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    measured = logo.evaluate(_MEASURE)
    return contrast(measured["ink"], measured["backdrop"])
