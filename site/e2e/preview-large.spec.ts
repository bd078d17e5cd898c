// The live preview opens large, in a dialog, against the original: fitted at first, 1:1, and
// panned to every edge; the panel's own pair zooms to 1:1 as well.
import { uploadImage } from './api.ts';
import { expectFitted, imageBox, panToEdges } from './boxes.ts';
import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';

test('the live preview opens large with fit, 1:1 and pan, and the panel pair zooms to 1:1', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('looker'));
  const imageId = await uploadImage(page.request, 'alley', await makePhoto(1600, 1000, { hue: 300 }));
  await page.goto(`/images/${imageId}`);
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  const natural = { width: 1600, height: 1000 };

  // The panel's pair: 1:1 shows the output's own pixels in both.
  const panel = page.getByRole('form', { name: 'Compress this image' });
  await panel.getByRole('button', { name: '1:1' }).click();
  await expect(panel.getByTestId('zoom-percent')).toHaveText('100%');
  for (const stage of [page.getByTestId('panel-original-stage'), page.getByTestId('panel-preview-stage')]) {
    expect((await imageBox(stage.getByRole('img'))).width).toBeCloseTo(1600, 0);
  }
  await panToEdges(page, page.getByTestId('panel-preview-stage'), page.getByTestId('panel-preview-stage').getByRole('img'), {
    keys: (key) => key,
  });

  await panel.getByRole('button', { name: 'Open large' }).click();
  const dialog = page.getByRole('dialog', { name: 'Preview, large' });
  await expect(dialog).toBeVisible();
  const stage = dialog.getByRole('group', { name: /^Comparison/ });
  const preview = dialog.getByRole('img', { name: 'Compressed: alley, WEBP' });
  // Larger than the panel's box: most of the window.
  expect((await stage.boundingBox())!.height).toBeGreaterThan(600);
  await expectFitted(stage, dialog.getByRole('img', { name: 'Original: alley' }), natural);
  await expectFitted(stage, preview, natural);
  await screenshot(page, 'preview-large');
  await dialog.getByRole('button', { name: '1:1' }).click();
  await expect(dialog.getByTestId('zoom-percent')).toHaveText('100%');
  expect((await imageBox(preview)).width).toBeCloseTo(1600, 0);
  await panToEdges(page, stage, preview, 'drag');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
