// The image page's Photo panel: camera, lens, exposure, date taken and colour profile, read from
// the original's metadata at upload.
import sharp from 'sharp';
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('the image page shows the camera, lens, exposure, date taken and colour profile of a photo', async ({ page }) => {
  await signUp(page, uniqueName('shooter'));
  const photo = await sharp(await makePhoto(1200, 800, { hue: 20 }))
    .withExif({
      IFD0: { Make: 'FUJIFILM', Model: 'X-T5' },
      IFD2: {
        ExposureTime: '1/125',
        FNumber: '56/10',
        ISOSpeedRatings: '200',
        FocalLength: '23/1',
        DateTimeOriginal: '2025:08:14 19:45:10',
        LensMake: 'FUJIFILM',
        LensModel: 'XF23mmF1.4 R LM WR',
      },
    })
    .withIccProfile('srgb')
    .jpeg({ quality: 90 })
    .toBuffer();
  await page.goto('/upload');
  await page.getByLabel('Choose images').setInputFiles([
    { name: 'dusk.jpg', mimeType: 'image/jpeg', buffer: photo },
    { name: 'plain.png', mimeType: 'image/png', buffer: await makePhoto(300, 200, { format: 'png' }) },
  ]);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(2);
  await page.getByRole('link', { name: 'Open dusk' }).click();

  const panel = page.getByTestId('photo-facts');
  await expect(panel.getByRole('heading', { name: 'Photo' })).toBeVisible();
  await expect(panel.locator('dt')).toHaveText(['Camera', 'Lens', 'Exposure', 'Taken', 'Colour profile']);
  await expect(panel.locator('dd')).toHaveText([
    'FUJIFILM X-T5',
    'FUJIFILM XF23mmF1.4 R LM WR',
    '1/125 s · f/5.6 · ISO 200 · 23 mm',
    '14 Aug 2025, 19:45',
    /sRGB/,
  ]);

  await page.goto('/');
  await page.getByRole('link', { name: /plain/ }).first().click();
  await expect(page.getByTestId('photo-facts')).toContainText('The original says nothing about the camera or when it was taken.');
});
