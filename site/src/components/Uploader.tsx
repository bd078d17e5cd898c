// Upload island: pick or drop images, see each one (size, dimensions) before anything is sent,
// name and tag it, then upload with a real progress bar per file and typed errors beside it.
import { createSignal, For, Show } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { UploadImageMutation, ViewerQuery } from '../lib/operations.ts';
import { browserClient } from '../lib/urql.ts';
import { publishUsage, type UsageNumbers } from '../lib/usage-events.ts';
import { sendMultipart } from '../lib/multipart.ts';
import { describeProblem, describeTransportError } from '../lib/problems.ts';
import { formatBytes, formatDimensions, parseTags } from '../lib/format.ts';
import { ACCEPTED_DESCRIPTION, refusalOf } from '../lib/image-sniff.ts';
import ImagePreview from './ImagePreview.tsx';
import { ACCEPTED_IMAGE_TYPES } from '../../../graphql/shared/formats.ts';

type Status = 'ready' | 'uploading' | 'done' | 'failed';

interface Item {
  key: number;
  file: File;
  name: string;
  tags: string;
  dimensions: { width: number; height: number } | null | undefined;
  status: Status;
  progress: number;
  error: string | null;
  imageId: string | null;
}

/** Without its extension: "beach.jpg" -> "beach". */
export function defaultName(fileName: string): string {
  const base = fileName.replace(/\.[a-z0-9]{1,5}$/i, '');
  return base || fileName;
}

let nextKey = 1;

export default function Uploader(props: { usage: UsageNumbers }) {
  const [items, setItems] = createStore<Item[]>([]);
  const [usage, setUsage] = createSignal(props.usage);
  const room = () => Math.max(0, usage().maxImages - usage().images);
  // Uploads finished since the usage was last read are in neither number above.
  const [doneSinceUsage, setDoneSinceUsage] = createSignal(0);
  const queued = () => items.filter((item) => item.status !== 'done').length + doneSinceUsage();
  const fits = () => Math.max(0, room() - queued());
  const [refusals, setRefusals] = createSignal<string[]>([]);
  const [dragging, setDragging] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  let input: HTMLInputElement | undefined;

  // Files are refused when chosen, not after Upload: anything that is not an image, and whatever
  // the quota has no room for (in the order chosen).
  const add = async (chosen: FileList | File[]) => {
    const files = [...chosen];
    const reasons = await Promise.all(files.map(refusalOf));
    const refused: string[] = [];
    const added: Item[] = [];
    let free = fits();
    for (const [index, file] of files.entries()) {
      const reason = reasons[index];
      if (reason) {
        refused.push(reason);
        continue;
      }
      if (free === 0) {
        refused.push(`${file.name} was not added: your quota has room for ${fits() === 0 ? 'no more images' : `only ${fits()} more`}.`);
        continue;
      }
      free -= 1;
      added.push({
        key: nextKey++,
        file,
        name: defaultName(file.name),
        tags: '',
        dimensions: undefined,
        status: 'ready',
        progress: 0,
        error: null,
        imageId: null,
      });
    }
    setRefusals(refused);
    setItems((current) => [...current, ...added]);
  };
  const update = (key: number, change: (item: Item) => void) => setItems((item) => item.key === key, produce(change));
  const remove = (key: number) => setItems((current) => current.filter((item) => item.key !== key));
  const pending = () => items.filter((item) => item.status === 'ready' || item.status === 'failed');
  const doneCount = () => items.filter((item) => item.status === 'done').length;

  const uploadOne = async (item: Item) => {
    update(item.key, (i) => {
      i.status = 'uploading';
      i.progress = 0;
      i.error = null;
    });
    const tags = parseTags(item.tags);
    const result = await sendMultipart(
      UploadImageMutation,
      { file: item.file, name: item.name.trim() || null, tags: tags.length > 0 ? tags : null },
      {
        onProgress: ({ loaded, total }) =>
          update(item.key, (i) => {
            i.progress = total > 0 ? loaded / total : 0;
          }),
      },
    );
    const outcome = result.data?.uploadImage;
    if (outcome?.__typename === 'Image') {
      update(item.key, (i) => {
        i.status = 'done';
        i.progress = 1;
        i.imageId = outcome.id;
      });
      setDoneSinceUsage((count) => count + 1);
    } else if (outcome) {
      update(item.key, (i) => {
        i.status = 'failed';
        i.error = describeProblem(outcome);
      });
    } else {
      const message = describeTransportError(result.status, result.errors?.[0]?.message);
      update(item.key, (i) => {
        i.status = 'failed';
        i.error = message;
      });
    }
  };

  const uploadAll = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    // One at a time: each bar then shows that file's own transfer, and quota errors come in order.
    for (const item of pending()) await uploadOne(item);
    setBusy(false);
    // The quota shown in the header and here follows what was stored.
    const viewer = await browserClient().query(ViewerQuery, {}).toPromise();
    const me = viewer.data?.me;
    if (me) {
      const latest = { images: me.usage.images, maxImages: me.usage.maxImages };
      setUsage(latest);
      setDoneSinceUsage(0);
      publishUsage(latest);
    }
  };

  return (
    <form class="stack" onSubmit={uploadAll} aria-label="Upload images">
      <p class="muted" style={{ margin: '-12px 0 0' }} data-testid="room">
        {room() === 0
          ? `Your quota is full (${usage().images} / ${usage().maxImages} images): delete an image to upload another.`
          : `You can add ${room()} more ${room() === 1 ? 'image' : 'images'} (${usage().images} / ${usage().maxImages} used).`}
        <Show when={room() > 0 && queued() > 0}>
          {` ${fits() === 0 ? 'No more fit beside' : `${fits()} more fit beside`} the ${queued()} chosen.`}
        </Show>
      </p>
      <div
        class={`dropzone ${dragging() ? 'active' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (event.dataTransfer?.files.length) void add(event.dataTransfer.files);
        }}
      >
        <svg
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          stroke-width="1.7"
          stroke-linecap="round"
          stroke-linejoin="round"
          aria-hidden="true"
        >
          <path d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5" />
          <path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />
        </svg>
        <label class="button primary" for="choose-images">
          Choose images
        </label>
        <input
          ref={input}
          id="choose-images"
          class="visually-hidden"
          type="file"
          multiple
          accept={ACCEPTED_IMAGE_TYPES}
          onChange={(event) => {
            if (event.currentTarget.files?.length) void add(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
        <p>or drop them here — {ACCEPTED_DESCRIPTION}. Nothing is sent until you press Upload.</p>
      </div>
      <Show when={refusals().length > 0}>
        <ul class="alert error small refusals" role="alert" aria-label="Files not added" data-testid="refusals">
          <For each={refusals()}>{(reason) => <li>{reason}</li>}</For>
        </ul>
      </Show>

      <Show when={items.length > 0}>
        <ul class="upload-list" aria-label="Selected images">
          <For each={items}>
            {(item) => (
              <li class="upload-item" data-testid="upload-item">
                <ImagePreview
                  source={{ kind: 'file', file: item.file }}
                  alt={`Preview of ${item.file.name}`}
                  onDimensions={(dimensions) =>
                    update(item.key, (i) => {
                      i.dimensions = dimensions;
                    })
                  }
                />
                <div class="stack" style={{ 'min-width': 0 }}>
                  <div class="row small muted" data-testid="local-facts">
                    <strong style={{ color: 'var(--text)', overflow: 'hidden', 'text-overflow': 'ellipsis' }}>{item.file.name}</strong>
                    <span>{formatBytes(item.file.size)}</span>
                    <span>
                      {item.dimensions === undefined
                        ? 'reading…'
                        : item.dimensions
                          ? formatDimensions(item.dimensions.width, item.dimensions.height)
                          : 'dimensions unknown'}
                    </span>
                    <span class="spacer" />
                    <Show when={item.status !== 'uploading' && item.status !== 'done'}>
                      <button type="button" class="ghost small" onClick={() => remove(item.key)} aria-label={`Remove ${item.file.name}`}>
                        Remove
                      </button>
                    </Show>
                  </div>
                  <div class="fields">
                    <div class="field">
                      <label for={`name-${item.key}`}>Name</label>
                      <input
                        id={`name-${item.key}`}
                        type="text"
                        value={item.name}
                        disabled={item.status === 'uploading' || item.status === 'done'}
                        onInput={(event) =>
                          update(item.key, (i) => {
                            i.name = event.currentTarget.value;
                          })
                        }
                      />
                    </div>
                    <div class="field">
                      <label for={`tags-${item.key}`}>
                        Tags <span class="hint">comma-separated</span>
                      </label>
                      <input
                        id={`tags-${item.key}`}
                        type="text"
                        value={item.tags}
                        placeholder="e.g. holiday, beach"
                        disabled={item.status === 'uploading' || item.status === 'done'}
                        onInput={(event) =>
                          update(item.key, (i) => {
                            i.tags = event.currentTarget.value;
                          })
                        }
                      />
                    </div>
                  </div>
                  <Show when={item.status === 'uploading' || item.status === 'done'}>
                    <div
                      class="progress"
                      role="progressbar"
                      aria-label={`Uploading ${item.file.name}`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={Math.round(item.progress * 100)}
                    >
                      <span style={{ width: `${Math.round(item.progress * 100)}%` }} />
                    </div>
                  </Show>
                  <Show when={item.status === 'done' && item.imageId}>
                    <p class="status-done small" role="status">
                      Uploaded. <a href={`/images/${item.imageId}`}>Open {item.name || item.file.name}</a>
                    </p>
                  </Show>
                  <Show when={item.error}>
                    <p class="alert error small" role="alert" data-testid="upload-error">
                      {item.error}
                    </p>
                  </Show>
                </div>
              </li>
            )}
          </For>
        </ul>
        <div class="row">
          <button type="submit" class="primary" disabled={busy() || pending().length === 0}>
            {busy() ? 'Uploading…' : 'Upload'}
          </button>
          <span class="muted small" aria-live="polite">
            {pending().length} ready{doneCount() > 0 ? ` · ${doneCount()} uploaded` : ''}
          </span>
          <span class="spacer" />
          <Show when={doneCount() > 0}>
            <a class="button" href="/">
              Go to the gallery
            </a>
          </Show>
        </div>
      </Show>
    </form>
  );
}
