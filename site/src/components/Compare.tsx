// Compare island: the original and one of its compressions side by side, or stacked with a
// divider to slide, with zoom and pan kept in step on both.
import { createSignal, For, Show } from 'solid-js';
import { formatBytes, formatSavings } from '../lib/format.ts';
import { clampPan, MAX_ZOOM, MIN_ZOOM, transformOf, zoomTo, type View } from '../lib/zoom.ts';

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
  original: { name: string; url: string; width: number; height: number; bytes: number };
  compressions: CompareItem[];
  /** Which compression to show first (the newest when absent). */
  selectedId?: string | null;
}

export default function Compare(props: CompareProps) {
  const [selectedId, setSelectedId] = createSignal(props.selectedId ?? props.compressions[0]?.id ?? '');
  const [mode, setMode] = createSignal<'slider' | 'side'>('slider');
  const [split, setSplit] = createSignal(50);
  const [view, setView] = createSignal<View>({ zoom: 1, x: 0, y: 0 });
  let stage: HTMLDivElement | undefined;
  const selected = () => props.compressions.find((c) => c.id === selectedId()) ?? props.compressions[0];
  const stageSize = () => ({ width: stage?.clientWidth ?? 0, height: stage?.clientHeight ?? 0 });
  const setZoom = (zoom: number) => setView((current) => zoomTo(current, zoom, stageSize()));

  // Dragging: in slider mode it moves the divider, in side-by-side mode it pans (when zoomed).
  let drag: { startX: number; startY: number; view: View } | null = null;
  const pointerDown = (event: PointerEvent) => {
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    drag = { startX: event.clientX, startY: event.clientY, view: view() };
    if (mode() === 'slider') moveSplit(event);
  };
  const pointerMove = (event: PointerEvent) => {
    if (!drag) return;
    if (mode() === 'slider') return moveSplit(event);
    const start = drag.view;
    setView(clampPan({ zoom: start.zoom, x: start.x + event.clientX - drag.startX, y: start.y + event.clientY - drag.startY }, stageSize()));
  };
  const pointerUp = () => { drag = null; };
  const moveSplit = (event: PointerEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    setSplit(Math.round(Math.min(100, Math.max(0, ((event.clientX - box.left) / box.width) * 100))));
  };
  const wheel = (event: WheelEvent) => {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault();
    setZoom(view().zoom * (event.deltaY < 0 ? 1.25 : 0.8));
  };

  // Keyboard: arrows pan a zoomed picture; in slider mode plain left/right move the divider.
  const keyDown = (event: KeyboardEvent) => {
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    if (mode() === 'slider' && !event.shiftKey && step[1] === 0) return setSplit((value) => Math.min(100, Math.max(0, value + step[0] * 5)));
    setView((current) => clampPan({ zoom: current.zoom, x: current.x - step[0] * 40, y: current.y - step[1] * 40 }, stageSize()));
  };
  const stageLabel = () =>
    mode() === 'slider'
      ? 'Comparison. Left and right arrows move the divider; Shift with arrows pans when zoomed.'
      : 'Comparison. Arrow keys pan when zoomed.';

  const image = (url: string, alt: string) => (
    <img src={url} alt={alt} draggable={false} style={{ transform: transformOf(view()) }} />
  );

  return (
    <Show when={selected()} fallback={<p class="muted">Make a compression above to compare it with the original.</p>}>
      <div class="stack" data-testid="compare">
        <div class="row">
          <div class="tabs" role="group" aria-label="Compare view">
            <button type="button" aria-pressed={mode() === 'slider' ? 'true' : 'false'} onClick={() => setMode('slider')}>Slider</button>
            <button type="button" aria-pressed={mode() === 'side' ? 'true' : 'false'} onClick={() => setMode('side')}>Side by side</button>
          </div>
          <div class="field" style={{ 'min-width': '220px' }}>
            <label for="compare-with" class="visually-hidden">Compare with</label>
            <select id="compare-with" onChange={(e) => setSelectedId(e.currentTarget.value)}>
              <For each={props.compressions}>
                {(c) => <option value={c.id} selected={c.id === selectedId()}>{c.format} · {c.width} × {c.height} · {formatBytes(c.bytes)} ({formatSavings(c.savings)})</option>}
              </For>
            </select>
          </div>
          <span class="spacer" />
          <div class="row" style={{ gap: '6px' }}>
            <button type="button" class="small" onClick={() => setZoom(view().zoom / 1.5)} disabled={view().zoom <= MIN_ZOOM} aria-label="Zoom out">−</button>
            <label for="compare-zoom" class="small">Zoom</label>
            <input id="compare-zoom" type="range" min={MIN_ZOOM} max={MAX_ZOOM} step="0.25" value={view().zoom} style={{ width: '120px' }}
              aria-valuetext={`${view().zoom.toFixed(2)} times`} onInput={(e) => setZoom(Number(e.currentTarget.value))} />
            <button type="button" class="small" onClick={() => setZoom(view().zoom * 1.5)} disabled={view().zoom >= MAX_ZOOM} aria-label="Zoom in">+</button>
            <button type="button" class="small ghost" onClick={() => setView({ zoom: 1, x: 0, y: 0 })}>Reset</button>
          </div>
        </div>

        <Show when={mode() === 'slider'}>
          <div class="compare-stage" ref={stage} tabIndex={0} role="group" aria-label={stageLabel()} onKeyDown={keyDown}
            onPointerDown={pointerDown} onPointerMove={pointerMove} onPointerUp={pointerUp} onWheel={wheel}>
            <div class="layer">{image(selected()!.url, `Compressed: ${props.original.name}, ${selected()!.format}`)}</div>
            <div class="layer" style={{ 'clip-path': `inset(0 ${100 - split()}% 0 0)` }}>{image(props.original.url, `Original: ${props.original.name}`)}</div>
            <div class="divider" style={{ left: `calc(${split()}% - 1px)` }} />
            <span class="label-left">Original · {formatBytes(props.original.bytes)}</span>
            <span class="label-right">{selected()!.format} · {formatBytes(selected()!.bytes)}</span>
          </div>
          <div class="field">
            <label for="compare-split">Divider position <span class="hint">{split()}% original</span></label>
            <input id="compare-split" type="range" min="0" max="100" step="1" value={split()} onInput={(e) => setSplit(Number(e.currentTarget.value))} />
          </div>
        </Show>
        <Show when={mode() === 'side'}>
          <div class="side-by-side">
            <figure style={{ margin: 0 }}>
              <div class="compare-stage" ref={stage} tabIndex={0} role="group" aria-label={stageLabel()} onKeyDown={keyDown}
                style={{ height: 'min(50vh, 420px)', cursor: view().zoom > 1 ? 'grab' : 'default' }}
                onPointerDown={pointerDown} onPointerMove={pointerMove} onPointerUp={pointerUp} onWheel={wheel}>
                <div class="layer">{image(props.original.url, `Original: ${props.original.name}`)}</div>
              </div>
              <figcaption class="preview-caption"><strong>Original</strong><span>{props.original.width} × {props.original.height}</span><span>{formatBytes(props.original.bytes)}</span></figcaption>
            </figure>
            <figure style={{ margin: 0 }}>
              <div class="compare-stage" style={{ height: 'min(50vh, 420px)', cursor: view().zoom > 1 ? 'grab' : 'default' }}
                onPointerDown={pointerDown} onPointerMove={pointerMove} onPointerUp={pointerUp} onWheel={wheel}>
                <div class="layer">{image(selected()!.url, `Compressed: ${props.original.name}, ${selected()!.format}`)}</div>
              </div>
              <figcaption class="preview-caption"><strong>{selected()!.format}</strong><span>{selected()!.width} × {selected()!.height}</span><span>{formatBytes(selected()!.bytes)}</span><span>{formatSavings(selected()!.savings)}</span></figcaption>
            </figure>
          </div>
        </Show>
      </div>
    </Show>
  );
}
