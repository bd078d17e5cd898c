// "Make a responsive set" (image page): widths and formats in a dialog, then the <picture> element
// the API returns, ready to copy into a page. Its URLs are share links without expiry.
import { createSignal, For, Show } from 'solid-js';
import type { OutputFormat } from '../gql/graphql.ts';
import { CompressResponsiveMutation } from '../lib/operations.ts';
import { describeProblem, describeRequestError } from '../lib/problems.ts';
import { browserClient } from '../lib/urql.ts';
import CopyButton from './CopyButton.tsx';

export interface ResponsiveSetDialogProps {
  image: { id: string; name: string; width: number };
}

const FORMATS: ReadonlyArray<{ value: OutputFormat; label: string; checked: boolean }> = [
  { value: 'AVIF', label: 'AVIF', checked: true },
  { value: 'WEBP', label: 'WebP', checked: true },
  { value: 'JPEG', label: 'JPEG', checked: true },
  { value: 'PNG', label: 'PNG', checked: false },
];

/** "480, 960 1600" -> [480, 960, 1600]; null when any part is not a whole number. */
export function parseWidths(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((part) => !/^\d+$/.test(part))) return null;
  return parts.map(Number);
}

export default function ResponsiveSetDialog(props: ResponsiveSetDialogProps) {
  const client = browserClient();
  let dialog: HTMLDialogElement | undefined;
  let output: HTMLTextAreaElement | undefined;
  const [widths, setWidths] = createSignal('480, 960, 1600');
  const [formats, setFormats] = createSignal<OutputFormat[]>(FORMATS.filter((format) => format.checked).map((format) => format.value));
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const [html, setHtml] = createSignal<string | null>(null);
  // The form exists only while the dialog is open, so its fields never stand beside the page's
  // own (a closed dialog's "Widths" would otherwise share a label with the compress form's "Width").
  const [open, setOpen] = createSignal(false);
  const show = () => {
    setOpen(true);
    dialog?.showModal();
  };

  const toggle = (format: OutputFormat, on: boolean) =>
    setFormats(on ? [...formats(), format] : formats().filter((candidate) => candidate !== format));

  const make = async (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = parseWidths(widths());
    if (!parsed) return setProblem('Widths are whole numbers of pixels, separated by commas.');
    if (formats().length === 0) return setProblem('Choose at least one format.');
    setProblem(null);
    setBusy(true);
    const result = await client
      .mutation(CompressResponsiveMutation, { imageId: props.image.id, widths: parsed, formats: formats() })
      .toPromise();
    setBusy(false);
    const outcome = result.data?.compressResponsive;
    if (outcome?.__typename === 'ResponsiveSet') setHtml(outcome.html);
    else if (outcome) setProblem(describeProblem(outcome));
    else setProblem(describeRequestError(result.error));
  };

  const close = () => {
    dialog?.close();
    // The new compressions are listed by the server-rendered page.
    if (html()) window.location.assign(`/images/${props.image.id}?set=1#compressions`);
  };

  return (
    <>
      <button type="button" onClick={show}>
        Make a responsive set
      </button>
      <dialog class="responsive" ref={dialog} aria-labelledby="responsive-heading" onClose={() => (html() ? close() : setOpen(false))}>
        <h2 id="responsive-heading">Make a responsive set</h2>
        <Show when={open()}>
          <Show
            when={html()}
            fallback={
              <form class="stack" onSubmit={make}>
                <p class="muted small" style={{ margin: 0 }}>
                  One compression per width and format (widths above {props.image.width} px become {props.image.width} px), and a{' '}
                  &lt;picture&gt; element using them through share links that do not expire.
                </p>
                <div class="field">
                  <label for="responsive-widths">
                    Widths <span class="hint">px, comma-separated</span>
                  </label>
                  <input id="responsive-widths" type="text" value={widths()} onInput={(event) => setWidths(event.currentTarget.value)} />
                </div>
                <fieldset>
                  <legend>Formats</legend>
                  <div class="checks">
                    <For each={FORMATS}>
                      {(format) => (
                        <label>
                          <input
                            type="checkbox"
                            checked={formats().includes(format.value)}
                            onChange={(event) => toggle(format.value, event.currentTarget.checked)}
                          />{' '}
                          {format.label}
                        </label>
                      )}
                    </For>
                  </div>
                </fieldset>
                <Show when={problem()}>
                  <p class="alert error small" role="alert">
                    {problem()}
                  </p>
                </Show>
                <div class="row">
                  <button type="submit" class="primary" disabled={busy()}>
                    {busy() ? 'Making the set…' : 'Make the set'}
                  </button>
                  <button type="button" onClick={() => dialog?.close()}>
                    Cancel
                  </button>
                </div>
              </form>
            }
          >
            <div class="stack">
              <label for="responsive-html">HTML for your page</label>
              <textarea id="responsive-html" readonly ref={output} value={html()!} />
              <div class="row">
                <CopyButton text={() => html()!} label="Copy the HTML" select={() => output} />
                <button type="button" onClick={close}>
                  Done
                </button>
              </div>
            </div>
          </Show>
        </Show>
      </dialog>
    </>
  );
}
