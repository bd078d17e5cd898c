// Compare island: the original and one of its compressions side by side, or stacked with a
// divider to slide, with zoom and pan kept in step on both. Both pictures are laid out at the
// original's size, so a smaller compression lines up with it.
import { createEffect, createSignal, createUniqueId, For, on, onCleanup, onMount, Show, untrack } from 'solid-js';
import { formatBytes, formatSavings } from '../lib/format.ts';
import { onFreshLinks, reportStaleLink, type FreshLinks } from '../lib/signed-links.ts';
import { FIT_VIEW, placement, type Size, type View } from '../lib/zoom.ts';
import ZoomControls from './ZoomControls.tsx';
import ZoomStage, { PlacedImage } from './ZoomStage.tsx';

export interface CompareItem {
  id: string;
  url: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  savings: number;
}

export interface CompareProps {
  /** url: what is shown at first (the display rendition); fullUrl: the original's own file, for zooms past the rendition. */
  original: { name: string; url: string; fullUrl?: string; width: number; height: number; bytes: number };
  compressions: CompareItem[];
  /** Which compression to show first (the newest when absent). */
  selectedId?: string | null;
  /** The compressions' links are not signed (a preview's blob URL) and never go stale. */
  unsignedLinks?: boolean;
  /** A taller stage, for a dialog. */
  large?: boolean;
}

export default function Compare(props: CompareProps) {
  const [selectedId, setSelectedId] = createSignal(props.selectedId ?? props.compressions[0]?.id ?? '');
  const [mode, setMode] = createSignal<'slider' | 'side'>('slider');
  const [split, setSplit] = createSignal(50);
  const [view, setView] = createSignal<View>(FIT_VIEW);
  const [stageSize, setStageSize] = createSignal<Size>({ width: 0, height: 0 });
  // Signed links are replaced by fresh ones as they near their expiry (lib/signed-links.ts).
  const [fresh, setFresh] = createSignal<Pick<FreshLinks, 'original' | 'display' | 'compressions'> | null>(null);
  onMount(() => onCleanup(onFreshLinks(setFresh)));
  const compressedFailed = () => {
    if (!props.unsignedLinks) reportStaleLink();
  };
  const selectedItem = () => props.compressions.find((c) => c.id === selectedId()) ?? props.compressions[0];
  const selected = () => {
    const item = selectedItem();
    return item && { ...item, url: fresh()?.compressions[item.id] ?? item.url };
  };
  const natural = () => ({ width: props.original.width, height: props.original.height });
  // props.original.url is the display rendition (see the image page), and so is the fresh link. A
  // zoom that needs more pixels than the rendition has switches to the original's own file: it is
  // fetched once, in the background, and shown only when it has loaded, so the view does not blink.
  const [renditionWidth, setRenditionWidth] = createSignal(0);
  const [fullWanted, setFullWanted] = createSignal(false);
  const [fullShown, setFullShown] = createSignal(false);
  const fullUrl = () => fresh()?.original ?? props.original.fullUrl;
  createEffect(() => {
    const rendition = renditionWidth();
    if (fullWanted() || !props.original.fullUrl || rendition === 0 || rendition >= props.original.width) return;
    if (placement(view(), natural(), stageSize()).width * window.devicePixelRatio > rendition) setFullWanted(true);
  });
  createEffect(
    on(fullWanted, (wanted) => {
      if (!wanted) return;
      const probe = new Image();
      probe.onload = () => setFullShown(true);
      probe.onerror = () => reportStaleLink();
      probe.src = untrack(fullUrl)!;
    }),
  );
  const originalUrl = () => (fullShown() ? fullUrl()! : (fresh()?.display ?? props.original.url));
  const originalLoaded = (image: HTMLImageElement) => {
    if (!fullShown()) setRenditionWidth(image.naturalWidth);
  };
  // Unique, since a second Compare can be on the page (the panel's large preview).
  const ids = { select: `compare-with-${createUniqueId()}`, split: `compare-split-${createUniqueId()}` };
  const stageClass = () => (props.large ? 'large' : '');

  const original = (box: Parameters<typeof PlacedImage>[0]['box']) => (
    <PlacedImage src={originalUrl()} alt={`Original: ${props.original.name}`} box={box} onError={reportStaleLink} onLoad={originalLoaded} />
  );
  const compressed = (box: Parameters<typeof PlacedImage>[0]['box']) => (
    <PlacedImage
      src={selected()!.url}
      alt={`Compressed: ${props.original.name}, ${selected()!.format}`}
      box={box}
      onError={compressedFailed}
    />
  );

  return (
    <Show when={selected()} fallback={<p class="muted">Make a compression above to compare it with the original.</p>}>
      <div class="stack" data-testid="compare">
        <div class="row">
          <div class="tabs" role="group" aria-label="Compare view">
            <button type="button" aria-pressed={mode() === 'slider' ? 'true' : 'false'} onClick={() => setMode('slider')}>
              Slider
            </button>
            <button type="button" aria-pressed={mode() === 'side' ? 'true' : 'false'} onClick={() => setMode('side')}>
              Side by side
            </button>
          </div>
          <Show when={props.compressions.length > 1}>
            <div class="field" style={{ 'min-width': '220px' }}>
              <label for={ids.select} class="visually-hidden">
                Compare with
              </label>
              <select id={ids.select} onChange={(e) => setSelectedId(e.currentTarget.value)}>
                <For each={props.compressions}>
                  {(c) => (
                    <option value={c.id} selected={c.id === selectedId()}>
                      {c.format} · {c.width} × {c.height} · {formatBytes(c.bytes)} ({formatSavings(c.savings)})
                    </option>
                  )}
                </For>
              </select>
            </div>
          </Show>
          <span class="spacer" />
          <ZoomControls view={view()} setView={setView} natural={natural()} stage={stageSize()} />
        </div>

        <Show when={mode() === 'slider'}>
          <ZoomStage
            natural={natural()}
            view={view()}
            setView={setView}
            split={split()}
            setSplit={setSplit}
            onStageSize={setStageSize}
            class={stageClass()}
            label="Comparison. Left and right arrows move the divider; Shift with arrows pans when zoomed."
            layers={(box) => (
              <>
                <div class="layer">{compressed(box)}</div>
                <div class="layer" style={{ 'clip-path': `inset(0 ${100 - split()}% 0 0)` }}>
                  {original(box)}
                </div>
              </>
            )}
          >
            <div class="divider" style={{ left: `calc(${split()}% - 1px)` }} />
            <span class="label-left">Original · {formatBytes(props.original.bytes)}</span>
            <span class="label-right">
              {selected()!.format} · {formatBytes(selected()!.bytes)}
            </span>
          </ZoomStage>
          <div class="field">
            <label for={ids.split}>
              Divider position <span class="hint">{split()}% original</span>
            </label>
            <input
              id={ids.split}
              type="range"
              min="0"
              max="100"
              step="1"
              value={split()}
              onInput={(e) => setSplit(Number(e.currentTarget.value))}
            />
          </div>
        </Show>
        <Show when={mode() === 'side'}>
          <div class="side-by-side">
            <figure style={{ margin: 0 }}>
              <ZoomStage
                natural={natural()}
                view={view()}
                setView={setView}
                onStageSize={setStageSize}
                class={`half ${stageClass()}`}
                label="Original. Arrow keys pan when zoomed."
                layers={(box) => <div class="layer">{original(box)}</div>}
              />
              <figcaption class="preview-caption">
                <strong>Original</strong>
                <span>
                  {props.original.width} × {props.original.height}
                </span>
                <span>{formatBytes(props.original.bytes)}</span>
              </figcaption>
            </figure>
            <figure style={{ margin: 0 }}>
              <ZoomStage
                natural={natural()}
                view={view()}
                setView={setView}
                class={`half ${stageClass()}`}
                label={`${selected()!.format}. Arrow keys pan when zoomed.`}
                layers={(box) => <div class="layer">{compressed(box)}</div>}
              />
              <figcaption class="preview-caption">
                <strong>{selected()!.format}</strong>
                <span>
                  {selected()!.width} × {selected()!.height}
                </span>
                <span>{formatBytes(selected()!.bytes)}</span>
                <span>{formatSavings(selected()!.savings)}</span>
              </figcaption>
            </figure>
          </div>
        </Show>
      </div>
    </Show>
  );
}
