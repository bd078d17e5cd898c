// The gallery's lightbox: open a tile larger, step through the gallery's current order with the
// buttons and the arrow keys, close with Escape and land back on the tile.
import { expect, signUp, test, uniqueName, uploadPhotos } from './fixtures.ts';

test('the lightbox steps through the gallery in its current order, by buttons and arrow keys, and Escape closes it', async ({ page }) => {
  await signUp(page, uniqueName('browser'));
  await uploadPhotos(page, ['cedar', 'birch', 'aspen'], { width: 2000, height: 1500, timeout: 60_000 });

  // By name: aspen, birch, cedar.
  await page.goto('/?sort=name');
  const lightbox = page.getByRole('dialog');
  const title = lightbox.getByRole('heading');
  await expect(lightbox).toBeHidden();
  await page.getByRole('button', { name: 'View birch larger' }).click();
  await expect(lightbox).toBeVisible();
  await expect(title).toHaveText('birch');
  await expect(lightbox).toContainText('2 of 3');
  // The display rendition, not the thumbnail or the original.
  const shown = lightbox.getByRole('img', { name: 'birch' });
  await expect.poll(() => shown.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1600);
  expect(await shown.getAttribute('src')).toContain('/renditions/');

  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText('cedar');
  await expect(lightbox.getByRole('button', { name: 'Next →' })).toBeDisabled();
  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText('cedar');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(title).toHaveText('aspen');
  await expect(lightbox.getByRole('button', { name: '← Previous' })).toBeDisabled();
  await lightbox.getByRole('button', { name: 'Next →' }).click();
  await expect(title).toHaveText('birch');
  await expect(lightbox.getByRole('link', { name: 'Open' })).toHaveAttribute('href', /^\/images\//);

  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();
  await expect(page.getByRole('button', { name: 'View birch larger' })).toBeFocused();

  // Another order, another sequence: oldest first is cedar, birch, aspen.
  await page.goto('/?sort=oldest');
  await page.getByRole('button', { name: 'View birch larger' }).click();
  await expect(lightbox).toContainText('2 of 3');
  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText('aspen');
  await lightbox.getByRole('button', { name: 'Close' }).click();
  await expect(lightbox).toBeHidden();
});
