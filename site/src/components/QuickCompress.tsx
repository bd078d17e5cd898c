// One-shot island (/compress): pick an image, see it, choose options, send it once and get the
// downsized version back in the response, beside the original, ready to download. Nothing stored.
// The result follows the options (a live preview: compressUpload again, debounced, the previous
// request aborted) for files up to LIVE_PREVIEW_MAX_BYTES, since each preview sends the whole file
// again; larger files, and files the browser cannot decode, wait for Compress. Until a new result
// arrives, the old one is dimmed and says so.
import { createEffect, createSignal, on, onCleanup, Show } from 'solid-js';
import { debounce } from '../lib/debounce.ts';
import { createStore, unwrap } from 'solid-js/store';
import type { CompressUploadMutation as CompressUploadResult } from '../gql/graphql.ts';
import { downloadName, initialCompressState, toCompressOptions } from '../lib/compress-options.ts';
import { formatBytes, formatDimensions } from '../lib/format.ts';
import { sendMultipart } from '../lib/multipart.ts';
import { CompressUploadMutation } from '../lib/operations.ts';
import { describeProblem, describeTransportError } from '../lib/problems.ts';
import CompressOptionsForm from './CompressOptionsForm.tsx';
import ImagePreview, { base64ToBlob } from './ImagePreview.tsx';
import ResultStats from './ResultStats.tsx';
import { ACCEPTED_IMAGE_TYPES } from '../../../graphql/shared/formats.ts';

type Result = Extract<CompressUploadResult['compressUpload'], { __typename: 'CompressedFile' }>;

/** Larger files are only sent on Compress: a preview per option change would resend them each time. */
export const LIVE_PREVIEW_MAX_BYTES = 8 * 1024 * 1024;
const LIVE_PREVIEW_DEBOUNCE_MS = 500;

export default function QuickCompress() {
  const [file, setFile] = createSignal<File | null>(null);
  const [dragging, setDragging] = createSignal(false);
  const [dimensions, setDimensions] = createSignal<{ width: number; height: number } | null>(null);
  const [state, setState] = createStore(initialCompressState({ width: 1, height: 1 }));
  const [progress, setProgress] = createSignal<number | null>(null);
  const [result, setResult] = createSignal<Result | null>(null);
  const [problem, setProblem] = createSignal<{ field: string | null; message: string } | null>(null);
  const [downloadUrl, setDownloadUrl] = createSignal<string | null>(null);
  /** The options changed after the result was made: it no longer shows what Compress would give. */
  const [stale, setStale] = createSignal(false);
  /** A live preview is on its way (not shown as upload progress: Compress has that). */
  const [previewing, setPreviewing] = createSignal(false);
  let inFlight: AbortController | null = null;

  const original = () => dimensions() ?? { width: 1, height: 1 };
  const livePreviewApplies = () => {
    const chosen = file();
    return chosen !== null && dimensions() !== null && chosen.size <= LIVE_PREVIEW_MAX_BYTES;
  };

  /** Sends the file with the options on screen; a newer send aborts this one. */
  const send = async (live: boolean) => {
    const chosen = file();
    if (!chosen) return;
    const check = toCompressOptions(unwrap(state), dimensions() ?? { width: Number.MAX_SAFE_INTEGER, height: Number.MAX_SAFE_INTEGER });
    if (!check.ok) return setProblem({ field: check.field, message: check.message });
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    setProblem(null);
    if (live) setPreviewing(true);
    else {
      setResult(null);
      setProgress(0);
    }
    const response = await sendMultipart(
      CompressUploadMutation,
      { file: chosen, options: check.options },
      { signal: controller.signal, onProgress: live ? undefined : ({ loaded, total }) => setProgress(total > 0 ? loaded / total : 0) },
    );
    if (controller.signal.aborted || inFlight !== controller) return;
    inFlight = null;
    setProgress(null);
    setPreviewing(false);
    const outcome = response.data?.compressUpload;
    if (outcome?.__typename === 'CompressedFile') {
      setResult(outcome);
      setStale(false);
    } else if (outcome)
      setProblem({ field: outcome.__typename === 'ValidationError' ? (outcome.field ?? null) : null, message: describeProblem(outcome) });
    else setProblem({ field: null, message: describeTransportError(response.status, response.errors?.[0]?.message) });
  };
  const previewSoon = debounce(() => {
    if (livePreviewApplies() && progress() === null) void send(true);
  }, LIVE_PREVIEW_DEBOUNCE_MS);

  createEffect(
    on(
      () => [state.width, state.height, state.format, state.mode, state.quality, state.targetSsim, state.maxKilobytes],
      () => {
        setStale(true);
        previewSoon.call();
      },
      { defer: true },
    ),
  );

  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setDimensions(null);
    setResult(null);
    setProblem(null);
  };
  const onDimensions = (size: { width: number; height: number } | null) => {
    setDimensions(size);
    // Suggest options for this image; an undecodable file still goes to the API, which says why.
    if (size) setState(initialCompressState(size));
    previewSoon.call();
  };

  createEffect(() => {
    const current = result();
    if (!current) return setDownloadUrl(null);
    const url = URL.createObjectURL(base64ToBlob(current.base64, current.mimeType));
    setDownloadUrl(url);
    onCleanup(() => URL.revokeObjectURL(url));
  });

  const compress = (event: SubmitEvent) => {
    event.preventDefault();
    previewSoon.cancel();
    void send(false);
  };
  onCleanup(() => {
    previewSoon.cancel();
    inFlight?.abort();
  });

  return (
    <form class="panel" onSubmit={compress} aria-label="Compress an image once">
      <div class="stack">
        <div
          class={`dropzone compact ${dragging() ? 'active' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            choose(event.dataTransfer?.files[0]);
          }}
        >
          <label class="button primary" for="quick-file">
            Choose an image
          </label>
          <input
            id="quick-file"
            class="visually-hidden"
            type="file"
            accept={ACCEPTED_IMAGE_TYPES}
            onChange={(event) => {
              choose(event.currentTarget.files?.[0]);
              event.currentTarget.value = '';
            }}
          />
          <p>{file() ? `${file()!.name} · ${formatBytes(file()!.size)}` : 'or drop one here'}</p>
        </div>
        <Show when={file()}>
          <CompressOptionsForm
            state={state}
            setState={setState}
            original={original()}
            idPrefix="quick"
            invalidField={problem()?.field}
            disabled={progress() !== null}
          />
          <div class="row">
            <button type="submit" class="primary" disabled={progress() !== null}>
              {progress() !== null ? 'Compressing…' : 'Compress'}
            </button>
            <Show when={result() && downloadUrl()}>
              <a class="button" href={downloadUrl()!} download={downloadName(file()!.name, result()!.format)}>
                {stale() ? 'Download (earlier options)' : 'Download'}
              </a>
            </Show>
          </div>
          <Show when={progress() !== null}>
            <div
              class="progress"
              role="progressbar"
              aria-label="Sending the image"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round((progress() ?? 0) * 100)}
            >
              <span style={{ width: `${Math.round((progress() ?? 0) * 100)}%` }} />
            </div>
            <p class="muted small">{(progress() ?? 0) < 1 ? 'Sending…' : 'Compressing on the server…'}</p>
          </Show>
        </Show>
        <Show when={problem()}>
          <p class="alert error small" role="alert" data-testid="quick-error">
            {problem()!.message}
          </p>
        </Show>
      </div>
      <div class="stack">
        <Show
          when={file()}
          fallback={
            <div class="card empty">
              <p class="muted">Choose an image to start. It stays on this device until you press Compress, and the result is not stored.</p>
            </div>
          }
        >
          <Show when={result() && stale()}>
            <p class="muted small" role="status">
              {previewing() || livePreviewApplies()
                ? 'Updating the preview for the new options…'
                : 'The options changed since this result: press Compress to see theirs.'}
            </p>
          </Show>
          <div class="side-by-side">
            <figure style={{ margin: 0 }}>
              <ImagePreview source={{ kind: 'file', file: file()! }} alt={`Original: ${file()!.name}`} onDimensions={onDimensions} />
              <figcaption class="preview-caption">
                <strong>Original</strong>
                <span>{dimensions() ? formatDimensions(dimensions()!.width, dimensions()!.height) : '—'}</span>
                <span>{formatBytes(file()!.size)}</span>
              </figcaption>
            </figure>
            <figure style={{ margin: 0 }}>
              <ImagePreview
                source={result() ? { kind: 'base64', base64: result()!.base64, mimeType: result()!.mimeType } : null}
                alt={`Compressed: ${file()!.name}`}
                class={result() && stale() ? 'stale' : ''}
              />
              <figcaption class="preview-caption">
                <strong>Compressed</strong>
                <span>{result() ? '' : livePreviewApplies() ? 'preview on its way' : 'press Compress'}</span>
              </figcaption>
            </figure>
          </div>
          <div
            aria-live="polite"
            class={result() && stale() ? 'stale' : ''}
            data-testid="quick-numbers"
            data-stale={result() && stale() ? 'true' : 'false'}
          >
            <Show when={result()}>
              <ResultStats result={result()!} originalBytes={result()!.originalBytes} />
            </Show>
          </div>
        </Show>
      </div>
    </form>
  );
}
