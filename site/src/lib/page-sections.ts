// Updating server-rendered parts of the current page in place: fetch the page again and swap the
// named sections, so a new compression shows up in the list and the compare view while the
// compression panel (and the options chosen in it) stays as it is. Islands inside a swapped
// section hydrate again by themselves (Astro's <astro-island> does so when it is attached); the
// ones swapped out are told to unmount, as Astro's own page swaps do, so their listeners go too.
export async function replaceSections(url: string, ids: string[]): Promise<boolean> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) return false;
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
  const removed: Element[] = [];
  let previous: Element | null = null;
  for (const id of ids) {
    const incoming = fresh.getElementById(id);
    const current = document.getElementById(id);
    if (current) removed.push(...current.querySelectorAll('astro-island'));
    if (incoming && current) current.replaceWith(document.importNode(incoming, true));
    else if (incoming && previous) previous.after(document.importNode(incoming, true));
    else if (current) current.remove();
    previous = document.getElementById(id) ?? previous;
  }
  for (const island of removed) island.dispatchEvent(new CustomEvent('astro:unmount'));
  return true;
}
