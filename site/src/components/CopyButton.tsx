// Copies a text to the clipboard and says so; where the clipboard is unavailable (an http page
// that is not localhost), it selects the text beside it so the user can copy it by hand.
import { createSignal } from 'solid-js';

export interface CopyButtonProps {
  text: () => string;
  label: string;
  /** The input or textarea holding the text, selected when the clipboard refuses. */
  select?: () => HTMLInputElement | HTMLTextAreaElement | undefined;
}

export default function CopyButton(props: CopyButtonProps) {
  const [copied, setCopied] = createSignal(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text());
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      props.select?.()?.select();
    }
  };
  return (
    <button type="button" class="small" onClick={() => void copy()} aria-label={props.label}>
      {copied() ? 'Copied' : 'Copy'}
    </button>
  );
}
