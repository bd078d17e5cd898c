// Several images at once from the gallery: tick them (by mouse or keyboard, or all on the page),
// then tag, untag, delete, compress or download them together.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, signUp, test, uniqueName, uploadPhotos } from './fixtures.ts';

test('select several images in the gallery and tag, untag and delete them together', async ({ page }) => {
  await signUp(page, uniqueName('sorter'));
  await uploadPhotos(page, ['one', 'two', 'three', 'four'], { hueStep: 60 });

  await page.goto('/?sort=name');
  const tiles = page.getByTestId('tile');
  await expect(tiles.locator('.name')).toHaveText(['four', 'one', 'three', 'two']);
  const count = page.locator('[data-selected-count]');
  await expect(count).toHaveText('0 selected');

  // By mouse, and by keyboard (Space on a focused checkbox).
  await page.getByRole('checkbox', { name: 'Select one' }).check();
  await page.getByRole('checkbox', { name: 'Select two' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: 'Select two' })).toBeChecked();
  await expect(count).toHaveText('2 selected');
  await page.getByLabel('Tag for the selected images').fill('Keep');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.getByTestId('bulk-notice')).toHaveText('Added the tag to 2 images.');
  await expect(page).toHaveURL(/sort=name/);
  await expect(page.getByRole('list', { name: 'Tags of one' })).toHaveText('keep');
  await expect(page.getByRole('list', { name: 'Tags of two' })).toHaveText('keep');
  await expect(page.getByRole('list', { name: 'Tags of three' })).toHaveCount(0);

  // Select all on this page, then leave one out.
  const all = page.getByRole('checkbox', { name: 'Select all on this page' });
  await all.check();
  await expect(count).toHaveText('4 selected');
  await page.getByRole('checkbox', { name: 'Select four' }).uncheck();
  await expect(count).toHaveText('3 selected');
  expect(await all.evaluate((box) => (box as HTMLInputElement).indeterminate)).toBe(true);
  await page.getByLabel('Tag for the selected images').fill('KEEP');
  await page.getByRole('button', { name: 'Remove tag' }).click();
  await expect(page.getByTestId('bulk-notice')).toHaveText('Removed the tag from 3 images.');
  await expect(page.getByRole('list', { name: /^Tags of / })).toHaveCount(0);

  // Nothing selected: a clear refusal, nothing changes.
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose at least one image.');
  await expect(tiles).toHaveCount(4);

  await page.getByRole('checkbox', { name: 'Select three' }).check();
  await page.getByRole('checkbox', { name: 'Select four' }).check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await expect(page.getByTestId('bulk-notice')).toHaveText('Deleted 2 images.');
  await expect(tiles.locator('.name')).toHaveText(['one', 'two']);
  await expect(page.getByTestId('quota')).toContainText('2 / 10');
});

test('compress the selected images with one set of options and see what was done', async ({ page }) => {
  await signUp(page, uniqueName('squeezer'));
  await uploadPhotos(page, ['left', 'middle', 'right']);

  await page.goto('/?sort=name');
  await page.getByRole('checkbox', { name: 'Select left' }).check();
  await page.getByRole('checkbox', { name: 'Select right' }).check();
  await page.getByText('Compress selected…').click();
  // Checked on the server like the compression panel's form: nothing is compressed.
  await page.getByLabel('Format', { exact: true }).selectOption('AUTO');
  await page.getByRole('button', { name: 'Compress selected', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(/^Auto picks the quality for each format/);

  await page.getByRole('checkbox', { name: 'Select left' }).check();
  await page.getByRole('checkbox', { name: 'Select right' }).check();
  await page.getByText('Compress selected…').click();
  await page.getByLabel('Format', { exact: true }).selectOption('WEBP');
  await page.getByLabel('Width', { exact: true }).fill('160');
  await page.getByLabel('Quality', { exact: true }).fill('70');
  await page.getByRole('button', { name: 'Compress selected', exact: true }).click();
  await expect(page.getByTestId('bulk-notice')).toHaveText('Compressed 2 images.');

  for (const [name, rows] of [
    ['left', 1],
    ['middle', 0],
    ['right', 1],
  ] as const) {
    await page.goto('/?sort=name');
    await page.getByRole('link', { name }).first().click();
    await expect(page.getByTestId('compression-row')).toHaveCount(rows);
    if (rows) await expect(page.getByTestId('compression-row')).toContainText(['WEBP']);
    if (rows) await expect(page.getByTestId('compression-row')).toContainText(['160 × 120']);
  }
});

test('download the selected originals as one ZIP with their names', async ({ page }) => {
  await signUp(page, uniqueName('zipper'));
  await uploadPhotos(page, ['dune', 'fjord', 'glacier']);

  await page.goto('/?sort=name');
  await page.getByRole('checkbox', { name: 'Select dune' }).check();
  await page.getByRole('checkbox', { name: 'Select glacier' }).check();
  await page.getByLabel('What to download for each selected image').selectOption('originals');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download selected' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^pixpress-\d{4}-\d{2}-\d{2}\.zip$/);
  const file = await download.path();
  const { stdout } = await promisify(execFile)('python3', [
    '-c',
    'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([[i.filename, i.file_size] for i in z.infolist()]))',
    file,
  ]);
  const entries = JSON.parse(stdout) as Array<[string, number]>;
  expect(entries.map(([name]) => name)).toEqual(['dune.jpg', 'glacier.jpg']);
  for (const [, size] of entries) expect(size).toBeGreaterThan(1000);
  // The page stays where it was, selection and all.
  await expect(page).toHaveURL(/\/\?sort=name$/);
});
