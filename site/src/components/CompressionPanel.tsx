// Compression panel island (image page): choose options, see a live preview computed by the API
// (previewCompression, debounced, nothing stored) beside the original, then "Compress" stores it.
import type { OperationResult } from '@urql/core';
import { createEffect, createSignal, on, onCleanup, Show } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import type { PreviewCompressionQuery as PreviewResult } from '../gql/graphql.ts';
import { initialCompressState, toCompressOptions } from '../lib/compress-options.ts';
import { debounce } from '../lib/debounce.ts';
import { formatBytes } from '../lib/format.ts';
import { CompressImageMutation, PreviewCompressionQuery } from '../lib/operations.ts';
import { describeProblem, describeTransportError } from '../lib/problems.ts';
import { browserClient } from '../lib/urql.ts';
import CompressOptionsForm from './CompressOptionsForm.tsx';
import ImagePreview from './ImagePreview.tsx';
import ResultStats from './ResultStats.tsx';

type Preview = Extract<PreviewResult['previewCompression'], { __typename: 'CompressedFile' }>;

export interface CompressionPanelProps {
  image: { id: string; name: string; width: number; height: number; bytes: number; url: string };
  /** Compressions stored so far and how many are allowed, to say when the quota is full. */
  stored: number;
  maxStored: number;
}

export const PREVIEW_DEBOUNCE_MS = 350;

export default function CompressionPanel(props: CompressionPanelProps) {
  const [state, setState] = createStore(initialCompressState(props.image));
  const [preview, setPreview] = createSignal<Preview | null>(null);
  const [previewing, setPreviewing] = createSignal(false);
  const [problem, setProblem] = createSignal<{ field: string | null; message: string } | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [saved, setSaved] = createSignal<string | null>(null);
  const client = browserClient();

  // The preview in flight, if any: a newer one cancels it (urql aborts the fetch on unsubscribe),
  // so a late answer for old options can never replace the current one.
  let inflight: { unsubscribe: () => void } | null = null;
  const runPreview = debounce(() => {
    inflight?.unsubscribe();
    inflight = null;
    const check = toCompressOptions(unwrap(state), props.image);
    if (!check.ok) {
      setPreviewing(false);
      return setProblem({ field: check.field, message: check.message });
    }
    let answered = false;
    const subscription = client.query(PreviewCompressionQuery, { imageId: props.image.id, options: check.options }).subscribe((result) => {
      if (answered) return;
      answered = true;
      // One answer is all a preview needs (and no refetch when a mutation invalidates the cache).
      queueMicrotask(() => subscription.unsubscribe());
      showPreview(result);
    });
    inflight = subscription;
  }, PREVIEW_DEBOUNCE_MS);
  const showPreview = (result: OperationResult<PreviewResult>) => {
    setPreviewing(false);
    const outcome = result.data?.previewCompression;
    if (outcome?.__typename === 'CompressedFile') {
      setPreview(outcome);
      setProblem(null);
    } else if (outcome) {
      setProblem({ field: outcome.__typename === 'ValidationError' ? (outcome.field ?? null) : null, message: describeProblem(outcome) });
    } else {
      setProblem({ field: null, message: describeTransportError(result.error?.response?.status ?? null, result.error?.message) });
    }
  };
  onCleanup(() => {
    runPreview.cancel();
    inflight?.unsubscribe();
  });

  // Any change of an option asks for a new preview, and so does the first render.
  createEffect(
    on(
      () => [state.width, state.height, state.format, state.mode, state.quality, state.targetSsim, state.maxKilobytes],
      () => {
        setPreviewing(true);
        setSaved(null);
        runPreview.call();
      },
    ),
  );

  const full = () => props.stored >= props.maxStored;

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const check = toCompressOptions(unwrap(state), props.image);
    if (!check.ok) return setProblem({ field: check.field, message: check.message });
    setSaving(true);
    const result = await client.mutation(CompressImageMutation, { imageId: props.image.id, options: check.options }).toPromise();
    setSaving(false);
    const outcome = result.data?.compressImage;
    if (outcome?.__typename === 'Compression') {
      setSaved(outcome.id);
      // The stored list and the compare view are server-rendered: show them with the new one.
      window.location.assign(`/images/${props.image.id}?compressed=${encodeURIComponent(outcome.id)}#compressions`);
    } else if (outcome) {
      setProblem({ field: null, message: describeProblem(outcome) });
    } else {
      setProblem({ field: null, message: describeTransportError(result.error?.response?.status ?? null, result.error?.message) });
    }
  };

  return (
    <form class="panel" onSubmit={save} aria-label="Compress this image">
      <div class="stack">
        <CompressOptionsForm state={state} setState={setState} original={props.image} idPrefix="panel" invalidField={problem()?.field} disabled={saving()} />
        <Show when={problem()}>
          <p class="alert error small" role="alert" data-testid="panel-error">{problem()!.message}</p>
        </Show>
        <div class="row">
          <button type="submit" class="primary" disabled={saving() || full() || Boolean(problem())}>
            {saving() ? 'Compressing…' : 'Compress'}
          </button>
          <span class="muted small">{full() ? `All ${props.maxStored} compressions used: delete one first.` : `${props.stored} / ${props.maxStored} stored`}</span>
        </div>
        <Show when={saved()}><p class="status-done small" role="status">Saved.</p></Show>
      </div>
      <div class="stack">
        <div class="side-by-side">
          <figure style={{ margin: 0 }}>
            <ImagePreview source={{ kind: 'url', url: props.image.url }} alt={`Original: ${props.image.name}`} />
            <figcaption class="preview-caption"><strong>Original</strong><span>{props.image.width} × {props.image.height}</span><span>{formatBytes(props.image.bytes)}</span></figcaption>
          </figure>
          <figure style={{ margin: 0 }}>
            <ImagePreview source={preview() ? { kind: 'base64', base64: preview()!.base64, mimeType: preview()!.mimeType } : null}
              alt={`Preview of the compressed ${props.image.name}`} busy={previewing()}>
              <Show when={previewing()}>
                <span class="spinner" style={{ position: 'absolute', top: '10px', right: '10px' }} role="status" aria-label="Updating preview" />
              </Show>
            </ImagePreview>
            <figcaption class="preview-caption"><strong>Preview</strong><span>not stored until you press Compress</span></figcaption>
          </figure>
        </div>
        <div aria-live="polite">
          <Show when={preview()} fallback={<p class="muted small">{previewing() ? 'Computing a preview…' : ''}</p>}>
            <ResultStats result={preview()!} originalBytes={props.image.bytes} />
          </Show>
        </div>
      </div>
    </form>
  );
}
