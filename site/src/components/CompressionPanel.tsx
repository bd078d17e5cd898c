// Compression panel island (image page): choose options, see a live preview computed by the API
// (previewCompression, debounced, nothing stored) beside the original, then "Compress" stores it:
// with the preview's ticket when the options are unchanged (no second search), and without
// leaving the page, so the options stay for the next variant.
import type { OperationResult } from '@urql/core';
import { createEffect, createSignal, on, onCleanup, onMount, Show } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import type { PreviewCompressionQuery as PreviewResult } from '../gql/graphql.ts';
import { initialCompressState, toCompressOptions, type CompressMode } from '../lib/compress-options.ts';
import { debounce } from '../lib/debounce.ts';
import { formatBytes } from '../lib/format.ts';
import { CompressImageMutation, PreviewCompressionQuery } from '../lib/operations.ts';
import { replaceSections } from '../lib/page-sections.ts';
import { describeProblem, describeRequestError } from '../lib/problems.ts';
import { onFreshLinks, reportStaleLink } from '../lib/signed-links.ts';
import { browserClient } from '../lib/urql.ts';
import { FIT_VIEW, type Size, type View } from '../lib/zoom.ts';
import Compare from './Compare.tsx';
import CompressOptionsForm from './CompressOptionsForm.tsx';
import { base64ToBlob } from './ImagePreview.tsx';
import PresetBar from './PresetBar.tsx';
import CropBox from './CropBox.tsx';
import ResultStats from './ResultStats.tsx';
import SearchProgress, { describeSearch } from './SearchProgress.tsx';
import ZoomControls from './ZoomControls.tsx';
import ZoomStage, { PlacedImage } from './ZoomStage.tsx';

type Preview = Extract<PreviewResult['previewCompression'], { __typename: 'CompressedFile' }>;

export interface CompressionPanelProps {
  /** url: the display rendition; fullUrl: the original's file, which the large preview switches to when zoomed past the rendition. */
  image: { id: string; name: string; width: number; height: number; bytes: number; url: string; fullUrl?: string };
  /** Compressions stored so far and how many are allowed, to say when the quota is full. */
  stored: number;
  maxStored: number;
}

export const PREVIEW_DEBOUNCE_MS = 350;

/** The form field an API error names ('options.width' -> 'width'), if any. */
function fieldOf(outcome: { __typename: string; field?: string | null }): string | null {
  if (outcome.__typename !== 'ValidationError' && outcome.__typename !== 'InvalidTransformError') return null;
  return outcome.field?.replace(/^options\.(transform\.)?/, '') ?? null;
}

export default function CompressionPanel(props: CompressionPanelProps) {
  const [state, setState] = createStore(initialCompressState(props.image));
  const [preview, setPreview] = createSignal<Preview | null>(null);
  /** The options the shown preview was made with (its ticket is only good for those). */
  let previewOptions: string | null = null;
  const [storedCount, setStoredCount] = createSignal(props.stored);
  const [previewing, setPreviewing] = createSignal(false);
  const [cancelled, setCancelled] = createSignal(false);
  const [problem, setProblem] = createSignal<{ field: string | null; message: string } | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [saved, setSaved] = createSignal<string | null>(null);
  const [view, setView] = createSignal<View>(FIT_VIEW);
  const [stageSize, setStageSize] = createSignal<Size>({ width: 0, height: 0 });
  const [previewUrl, setPreviewUrl] = createSignal<string | null>(null);
  const [large, setLarge] = createSignal(false);
  let dialog: HTMLDialogElement | undefined;
  const openLarge = () => {
    setLarge(true);
    dialog?.showModal();
  };
  const client = browserClient();
  const [originalUrl, setOriginalUrl] = createSignal(props.image.url);
  // The page hands over the display rendition as the original's URL (see images/[id].astro).
  onMount(() => onCleanup(onFreshLinks((links) => setOriginalUrl(links.display))));

  createEffect(() => {
    const current = preview();
    if (!current) return setPreviewUrl(null);
    const url = URL.createObjectURL(base64ToBlob(current.base64, current.mimeType));
    setPreviewUrl(url);
    onCleanup(() => URL.revokeObjectURL(url));
  });

  // The preview in flight, if any: a newer one cancels it (urql aborts the fetch on unsubscribe,
  // and the server stops the job of an aborted request), so a late answer for old options can
  // never replace the current one.
  let inflight: { unsubscribe: () => void } | null = null;
  const runPreview = debounce(() => {
    inflight?.unsubscribe();
    inflight = null;
    const check = toCompressOptions(unwrap(state), props.image);
    if (!check.ok) {
      setPreviewing(false);
      return setProblem({ field: check.field, message: check.message });
    }
    const mode = state.mode;
    const asked = JSON.stringify(check.options);
    let answered = false;
    const subscription = client
      .query(PreviewCompressionQuery, { imageId: props.image.id, options: check.options }, { requestPolicy: 'network-only' })
      .subscribe((result) => {
        if (answered) return;
        answered = true;
        // One answer is all a preview needs (and no refetch when a mutation invalidates the cache).
        queueMicrotask(() => subscription.unsubscribe());
        inflight = null;
        if (showPreview(result, mode)) previewOptions = asked;
      });
    if (!answered) inflight = subscription;
  }, PREVIEW_DEBOUNCE_MS);
  /** True when a new preview is shown. */
  const showPreview = (result: OperationResult<PreviewResult>, mode: CompressMode): boolean => {
    setPreviewing(false);
    const outcome = result.data?.previewCompression;
    if (outcome?.__typename === 'CompressedFile') {
      setPreview(outcome);
      setProblem(null);
      return true;
    } else if (outcome) {
      setProblem({ field: fieldOf(outcome), message: describeProblem(outcome, mode) });
    } else {
      setProblem({ field: null, message: describeRequestError(result.error) });
    }
    return false;
  };
  const cancelPreview = () => {
    runPreview.cancel();
    inflight?.unsubscribe();
    inflight = null;
    setPreviewing(false);
    setCancelled(true);
  };
  onCleanup(() => {
    runPreview.cancel();
    inflight?.unsubscribe();
  });

  // Any change of an option asks for a new preview, and so does the first render.
  createEffect(
    on(
      () => [
        state.width,
        state.height,
        state.format,
        state.mode,
        state.quality,
        state.targetSsim,
        state.maxKilobytes,
        state.fit,
        JSON.stringify(state.edits),
      ],
      () => {
        setPreviewing(true);
        setCancelled(false);
        setProblem(null);
        setSaved(null);
        runPreview.call();
      },
    ),
  );

  const full = () => storedCount() >= props.maxStored;
  /** The numbers shown are not those of the current options. */
  const stale = () => previewing() || cancelled() || Boolean(problem());
  // Both pictures are laid out at the output's size, so 1:1 shows the output's own pixels.
  const natural = () =>
    preview() ? { width: preview()!.width, height: preview()!.height } : { width: props.image.width, height: props.image.height };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const check = toCompressOptions(unwrap(state), props.image);
    if (!check.ok) return setProblem({ field: check.field, message: check.message });
    setSaving(true);
    const mode = state.mode;
    // The shown preview is for exactly these options: its ticket stores it without a new search.
    const ticket = !stale() && previewOptions === JSON.stringify(check.options) ? (preview()?.ticket ?? null) : null;
    const result = await client.mutation(CompressImageMutation, { imageId: props.image.id, options: check.options, ticket }).toPromise();
    const outcome = result.data?.compressImage;
    if (outcome?.__typename === 'Compression') {
      setStoredCount((count) => count + 1);
      // The stored list and the compare view are server-rendered: swap in fresh ones, showing the new one.
      await replaceSections(`/images/${encodeURIComponent(props.image.id)}?compressed=${encodeURIComponent(outcome.id)}`, [
        'compressions',
        'compare',
      ]);
      setSaving(false);
      setSaved(outcome.id);
    } else if (outcome) {
      setSaving(false);
      setProblem({ field: null, message: describeProblem(outcome, mode) });
    } else {
      setSaving(false);
      setProblem({ field: null, message: describeRequestError(result.error) });
    }
  };

  return (
    <form class="panel" onSubmit={save} aria-label="Compress this image">
      <div class="stack">
        <PresetBar state={state} setState={setState} original={props.image} idPrefix="panel" />
        <CompressOptionsForm
          state={state}
          setState={setState}
          original={props.image}
          idPrefix="panel"
          invalidField={problem()?.field}
          disabled={saving()}
          canCrop
        />
        <Show when={problem()}>
          <p class="alert error small" role="alert" data-testid="panel-error">
            {problem()!.message}
          </p>
        </Show>
        <div class="row">
          <button type="submit" class="primary" disabled={saving() || full() || previewing() || Boolean(problem())}>
            {saving() ? 'Compressing…' : 'Compress'}
          </button>
          <span class="muted small">
            {full() ? `All ${props.maxStored} compressions used: delete one first.` : `${storedCount()} / ${props.maxStored} stored`}
          </span>
        </div>
        <Show when={saved()}>
          <p class="status-done small" role="status">
            Saved: it is in the list below. The options stay for another variant.
          </p>
        </Show>
      </div>
      <div class="stack">
        <div class="row">
          <span class="spacer" />
          <ZoomControls view={view()} setView={setView} natural={natural()} stage={stageSize()} />
          <button type="button" class="small" disabled={!previewUrl()} onClick={openLarge}>
            Open large
          </button>
        </div>
        <div class="side-by-side">
          <figure style={{ margin: 0 }}>
            <Show
              when={state.edits.crop}
              fallback={
                <ZoomStage
                  natural={natural()}
                  view={view()}
                  setView={setView}
                  onStageSize={setStageSize}
                  class="preview-stage"
                  testId="panel-original-stage"
                  label="Original. Arrow keys pan when zoomed."
                  layers={(box) => (
                    <div class="layer">
                      <PlacedImage src={originalUrl()} alt={`Original: ${props.image.name}`} box={box} onError={reportStaleLink} />
                    </div>
                  )}
                />
              }
            >
              <div class="preview-box crop-frame">
                <CropBox
                  src={originalUrl()}
                  alt={`Original: ${props.image.name}`}
                  original={props.image}
                  crop={state.edits.crop!}
                  onChange={(crop) => setState('edits', 'crop', crop)}
                />
              </div>
            </Show>
            <figcaption class="preview-caption">
              <strong>Original</strong>
              <span>
                {props.image.width} × {props.image.height}
              </span>
              <span>{formatBytes(props.image.bytes)}</span>
            </figcaption>
          </figure>
          <figure style={{ margin: 0 }}>
            <ZoomStage
              natural={natural()}
              view={view()}
              setView={setView}
              class={`preview-stage ${stale() ? 'stale' : ''}`}
              testId="panel-preview-stage"
              label="Preview. Arrow keys pan when zoomed."
              layers={(box) => (
                <div class="layer" aria-busy={previewing() ? 'true' : undefined}>
                  <Show when={previewUrl()}>
                    <PlacedImage src={previewUrl()!} alt={`Preview of the compressed ${props.image.name}`} box={box} />
                  </Show>
                </div>
              )}
            />
            <figcaption class="preview-caption">
              <strong>Preview</strong>
              <span>full size, measured exactly; not stored until you press Compress</span>
            </figcaption>
          </figure>
        </div>
        <Show when={previewing()}>
          <SearchProgress description={describeSearch(state)} onCancel={cancelPreview} />
        </Show>
        <Show when={cancelled()}>
          <p class="muted small" role="status">
            Preview cancelled: the numbers below are for earlier options. Change an option to try again.
          </p>
        </Show>
        <div aria-live="polite" class={stale() ? 'stale' : ''} data-stale={stale() ? 'true' : 'false'} data-testid="preview-numbers">
          <Show when={preview()} fallback={<p class="muted small">{previewing() ? 'Computing a preview…' : ''}</p>}>
            <Show when={stale()}>
              <span class="visually-hidden">Out of date: </span>
            </Show>
            <ResultStats result={preview()!} originalBytes={props.image.bytes} />
          </Show>
        </div>
      </div>
      <dialog class="preview-dialog" ref={dialog} aria-label="Preview, large" onClose={() => setLarge(false)}>
        <div class="row" style={{ 'margin-bottom': '8px' }}>
          <strong>Preview against the original</strong>
          <span class="spacer" />
          <button type="button" class="small" onClick={() => dialog?.close()}>
            Close
          </button>
        </div>
        <Show when={large() && preview() && previewUrl()}>
          <Compare
            large
            unsignedLinks
            original={{ ...props.image, url: originalUrl() }}
            compressions={[
              {
                id: 'preview',
                url: previewUrl()!,
                format: preview()!.format,
                width: preview()!.width,
                height: preview()!.height,
                bytes: preview()!.bytes,
                savings: preview()!.savings,
              },
            ]}
          />
        </Show>
      </dialog>
    </form>
  );
}
