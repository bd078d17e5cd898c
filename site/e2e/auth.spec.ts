import { expect, logIn, screenshot, signUp, test, uniqueName } from './fixtures.ts';

test('a signed-out visitor is sent to the login form, and a wrong password is explained', async ({ page }) => {
  await page.goto('/images/anything');
  await expect(page).toHaveURL(/\/login\?next=%2Fimages%2Fanything$/);
  await expect(page.getByRole('heading', { name: 'Log in to Pixpress' })).toBeVisible();
  await screenshot(page, 'login');

  await logIn(page, 'Picky', 'not the password');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  // What was typed stays; the password does not.
  await expect(page.getByLabel('Username')).toHaveValue('Picky');
  await expect(page.getByLabel('Password')).toHaveValue('');
});

test('log in as Picky / test, see the gallery with the quota, log out', async ({ page, context }) => {
  await logIn(page, 'Picky', 'test');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Your images' })).toBeVisible();
  await expect(page.getByTestId('quota')).toContainText(/\d+ \/ 10/);
  await expect(page.getByText('Picky', { exact: true })).toBeVisible();

  const cookie = (await context.cookies()).find((c) => c.name === 'pixpress_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 3600);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).find((c) => c.name === 'pixpress_session')).toBeUndefined();
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  // The session ended on the server too: a copy of the cookie taken before is worth nothing.
  const stolen = await page.request.post('/graphql', {
    headers: { 'content-type': 'application/json', cookie: `pixpress_session=${cookie!.value}` },
    data: { query: '{ me { username } }' },
  });
  expect(await stolen.json()).toEqual({ data: { me: null } });
});

test('sign up, arrive at an empty gallery that leads to uploading', async ({ page }) => {
  const username = uniqueName('newcomer');
  await page.goto('/login');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await screenshot(page, 'signup');
  await signUp(page, username);
  await expect(page.getByText(username, { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No images yet' })).toBeVisible();
  await expect(page.getByTestId('quota')).toContainText('0 / 10');
  await screenshot(page, 'gallery-empty');
  await page.getByRole('link', { name: 'Upload your first image' }).click();
  await expect(page).toHaveURL(/\/upload$/);

  // The same name cannot be taken twice.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto('/signup');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('another password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toContainText(/taken/i);
});

test('the forms work without JavaScript', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await logIn(page, 'Picky', 'test');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Your images' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test('a form posted from another site is refused', async ({ request }) => {
  const forged = await request.post('/login', {
    form: { username: 'Picky', password: 'test' },
    headers: { origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  expect(forged.headers()['set-cookie']).toBeUndefined();
});

test('keyboard only: log in; every control named; the file picker reachable by Tab', async ({ page }) => {
  await page.goto('/login');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.getByLabel('Username').focus();
  await page.keyboard.type('Picky');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type('test');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/$/);

  // Every interactive element on the main screens has an accessible name; every image has alt text.
  for (const path of ['/', '/upload', '/compress']) {
    await page.goto(path);
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('a, button, input, select, textarea, img')]
        .filter((element) => {
          if (element instanceof HTMLInputElement && element.type === 'hidden') return false;
          if (element instanceof HTMLImageElement) return !element.hasAttribute('alt');
          const labelled =
            (element as HTMLInputElement).labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
          return !labelled && !(element.textContent ?? '').trim();
        })
        .map((element) => element.outerHTML.slice(0, 120)),
    );
    expect(unnamed, `controls without a name on ${path}`).toEqual([]);
  }

  // The file picker is reachable by keyboard (the styled label's input takes focus).
  await page.goto('/upload');
  await page.getByRole('link', { name: 'Quick compress' }).focus();
  const picker = page.getByLabel('Choose images');
  for (let presses = 0; presses < 5 && !(await picker.evaluate((input) => input === document.activeElement)); presses++) {
    await page.keyboard.press('Tab');
  }
  await expect(picker).toBeFocused();
});
