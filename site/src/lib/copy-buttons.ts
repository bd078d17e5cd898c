// Buttons marked data-copy-from="<input id>" copy that input's value; where the clipboard is not
// available (plain http away from localhost), the text is selected for a manual copy instead.
// Without JavaScript the value stays in its input, to be copied by hand.
export function wireCopyButtons(root: ParentNode = document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy-from]')) {
    button.addEventListener('click', async () => {
      const input = document.getElementById(button.dataset.copyFrom ?? '') as HTMLInputElement | null;
      if (!input) return;
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = 'Copied';
      } catch {
        input.select();
      }
    });
  }
}
