// The compare view and the panel's preview pair show the whole picture at zoom 1 (fitted,
// centred, never enlarged past its own pixels), offer 1:1, and pan to every edge at any zoom.
import { compressImage, uploadImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expectFitted, imageBox, innerBox, panToEdges } from './boxes.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';

const PICTURES = [
  { name: 'wide', width: 1600, height: 1000, hue: 200 },
  { name: 'logo', width: 300, height: 300, hue: 20 },
  { name: 'tall', width: 700, height: 1118, hue: 120 },
];

test('compare and preview show the whole picture, 1:1, and pan to every edge', async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueName('comparer'));
  for (const picture of PICTURES) {
    const imageId = await uploadImage(page.request, picture.name, await makePhoto(picture.width, picture.height, { hue: picture.hue }));
    await compressImage(page.request, imageId, { format: 'WEBP', quality: 70, width: Math.round(picture.width / 2) });
    await page.goto(`/images/${imageId}`);
    const natural = { width: picture.width, height: picture.height };

    // The panel's original and preview, at fit (laid out at the output's size, the same shape).
    const panelOriginal = page.getByTestId('panel-original-stage');
    await expectFitted(panelOriginal, panelOriginal.getByRole('img'), natural);
    const panelPreview = page.getByTestId('panel-preview-stage');
    await expect(panelPreview.getByRole('img')).toBeVisible();
    await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
    await expectFitted(panelPreview, panelPreview.getByRole('img'), natural);

    const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
    await compare.scrollIntoViewIfNeeded();
    const stage = compare.getByRole('group', { name: /^Comparison/ });
    const original = compare.getByRole('img', { name: `Original: ${picture.name}` });
    const compressed = compare.getByRole('img', { name: `Compressed: ${picture.name}, WEBP` });
    await expectFitted(stage, original, natural);
    // The half-size compression is drawn over the same box as the original.
    expect(await imageBox(compressed)).toEqual(await imageBox(original));
    if (picture.name === 'wide') {
      await page.getByLabel('Divider position').fill('50');
      await screenshot(page, 'compare-slider');
    }

    // 1:1: one image pixel per CSS pixel.
    await compare.getByRole('button', { name: '1:1' }).click();
    await expect(compare.getByTestId('zoom-percent')).toHaveText('100%');
    const actual = await imageBox(original);
    expect(actual.width).toBeCloseTo(picture.width, 0);
    expect(actual.height).toBeCloseTo(picture.height, 0);
    await panToEdges(page, stage, original, { keys: (key) => `Shift+${key}` });

    // The most it zooms: still every edge within reach.
    const zoomIn = compare.getByRole('button', { name: 'Zoom in' });
    while (await zoomIn.isEnabled()) await zoomIn.click();
    await panToEdges(page, stage, original, 'drag');

    // Side by side keeps the view: the zoomed picture still covers both stages.
    await compare.getByRole('button', { name: 'Side by side' }).click();
    for (const [name, image] of [
      ['Original', original],
      ['WEBP', compressed],
    ] as const) {
      const half = compare.getByRole('group', { name: new RegExp(`^${name}\\.`) });
      const outer = await innerBox(half);
      const box = await imageBox(image);
      expect(box.x).toBeLessThanOrEqual(outer.x + 0.5);
      expect(box.y).toBeLessThanOrEqual(outer.y + 0.5);
      expect(box.x + box.width).toBeGreaterThanOrEqual(outer.x + outer.width - 0.5);
      expect(box.y + box.height).toBeGreaterThanOrEqual(outer.y + outer.height - 0.5);
    }
    await compare.getByRole('button', { name: 'Fit' }).click();
    await expectFitted(compare.getByRole('group', { name: /^Original\./ }), original, natural);
    await expectFitted(compare.getByRole('group', { name: /^WEBP\./ }), compressed, natural);
    await panToEdges(page, compare.getByRole('group', { name: /^Original\./ }), original, { keys: (key) => key });
  }
});

test('1:1 on an original wider than its display rendition shows the original’s own pixels', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('pixelpeeper'));
  const imageId = await uploadImage(page.request, 'vast', await makePhoto(2400, 1500, { hue: 40 }));
  await compressImage(page.request, imageId, { format: 'WEBP', quality: 70, width: 1200 });
  await page.goto(`/images/${imageId}`);
  const naturalWidth = (image: ReturnType<typeof page.getByRole>) =>
    image.evaluate((element) => (element as HTMLImageElement).naturalWidth);

  const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
  await compare.scrollIntoViewIfNeeded();
  const original = compare.getByRole('img', { name: 'Original: vast' });
  // At fit the display rendition is enough, and is what is shown.
  await expect.poll(() => naturalWidth(original)).toBeGreaterThan(0);
  expect(await naturalWidth(original)).toBeLessThanOrEqual(1600);
  await compare.getByRole('button', { name: '1:1' }).click();
  await expect(compare.getByTestId('zoom-percent')).toHaveText('100%');
  await expect.poll(() => naturalWidth(original)).toBe(2400);
  expect((await imageBox(original)).width).toBeCloseTo(2400, 0);

  // The panel's large preview does the same.
  const panel = page.getByRole('form', { name: 'Compress this image' });
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  await panel.getByRole('button', { name: 'Open large' }).click();
  const dialog = page.getByRole('dialog', { name: 'Preview, large' });
  const large = dialog.getByRole('img', { name: 'Original: vast' });
  await expect.poll(() => naturalWidth(large)).toBeGreaterThan(0);
  expect(await naturalWidth(large)).toBeLessThanOrEqual(1600);
  await dialog.getByRole('button', { name: '1:1' }).click();
  await expect.poll(() => naturalWidth(large)).toBe(2400);
});
