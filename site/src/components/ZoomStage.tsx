// A stage that shows a picture whole at zoom 1 (fitted, centred, never enlarged past its own
// pixels) and lets it be zoomed and panned to every edge. The view is owned by the caller, so
// several stages (side by side, a slider's two layers) stay in step.
import { createSignal, onCleanup, onMount, type JSX } from 'solid-js';
import { panBy, placement, zoomTo, type Placement, type Size, type View } from '../lib/zoom.ts';

export interface ZoomStageProps {
  /** The size every layer is laid out at (the original's pixels, so layers line up). */
  natural: Size;
  view: View;
  setView: (view: View) => void;
  label: string;
  /** The pictures, placed in the stage's CSS pixels. */
  layers: (box: Placement) => JSX.Element;
  /** In slider mode: the divider's position (0..100) and how to move it. */
  split?: number;
  setSplit?: (split: number) => void;
  onStageSize?: (size: Size) => void;
  class?: string;
  testId?: string;
  children?: JSX.Element;
}

/** How close to the divider (CSS px) a drag grabs it rather than panning. */
const DIVIDER_GRAB = 24;
/** An arrow key pans by this share of the stage, so even 8x zoom crosses in a few dozen presses. */
const KEY_PAN_SHARE = 0.1;

export default function ZoomStage(props: ZoomStageProps) {
  let stage: HTMLDivElement | undefined;
  const [size, setSize] = createSignal<Size>({ width: 0, height: 0 });
  onMount(() => {
    const measure = () => {
      const next = { width: stage!.clientWidth, height: stage!.clientHeight };
      setSize(next);
      props.onStageSize?.(next);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(stage!);
    onCleanup(() => observer.disconnect());
  });
  const box = () => placement(props.view, props.natural, size());
  const zoomed = () => box().width > size().width + 0.5 || box().height > size().height + 0.5;

  let drag: { x: number; y: number; view: View; divider: boolean } | null = null;
  const moveSplit = (clientX: number) => {
    const rect = stage!.getBoundingClientRect();
    props.setSplit?.(Math.round(Math.min(100, Math.max(0, ((clientX - rect.left) / rect.width) * 100))));
  };
  const pointerDown = (event: PointerEvent) => {
    stage!.setPointerCapture(event.pointerId);
    const rect = stage!.getBoundingClientRect();
    const dividerX = rect.left + ((props.split ?? 0) / 100) * rect.width;
    // A picture that fits has nothing to pan: a drag anywhere moves the divider.
    const divider = props.setSplit !== undefined && (!zoomed() || Math.abs(event.clientX - dividerX) <= DIVIDER_GRAB);
    drag = { x: event.clientX, y: event.clientY, view: props.view, divider };
    if (divider) moveSplit(event.clientX);
  };
  const pointerMove = (event: PointerEvent) => {
    if (!drag) return;
    if (drag.divider) return moveSplit(event.clientX);
    props.setView(panBy(drag.view, event.clientX - drag.x, event.clientY - drag.y, props.natural, size()));
  };
  const pointerUp = () => {
    drag = null;
  };
  const wheel = (event: WheelEvent) => {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault();
    props.setView(zoomTo(props.view, props.view.zoom * (event.deltaY < 0 ? 1.25 : 0.8), props.natural, size()));
  };
  // Arrows pan a zoomed picture; in slider mode plain left/right move the divider.
  const keyDown = (event: KeyboardEvent) => {
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    if (props.setSplit && !event.shiftKey && step[1] === 0)
      return props.setSplit(Math.min(100, Math.max(0, (props.split ?? 0) + step[0] * 5)));
    const { width, height } = size();
    props.setView(panBy(props.view, -step[0] * width * KEY_PAN_SHARE, -step[1] * height * KEY_PAN_SHARE, props.natural, size()));
  };

  return (
    <div
      class={`compare-stage ${props.class ?? ''}`}
      ref={stage}
      tabIndex={0}
      role="group"
      aria-label={props.label}
      data-testid={props.testId}
      style={{ cursor: zoomed() ? 'grab' : props.setSplit ? 'ew-resize' : 'default' }}
      onKeyDown={keyDown}
      onPointerDown={pointerDown}
      onPointerMove={pointerMove}
      onPointerUp={pointerUp}
      onPointerCancel={pointerUp}
      onWheel={wheel}
    >
      {props.layers(box())}
      {props.children}
    </div>
  );
}

/** An image placed on a stage: absolutely positioned at the placement's box. */
export function PlacedImage(props: {
  src: string;
  alt: string;
  box: Placement;
  onError?: () => void;
  onLoad?: (image: HTMLImageElement) => void;
}) {
  return (
    <img
      src={props.src}
      alt={props.alt}
      draggable={false}
      onError={() => props.onError?.()}
      onLoad={(event) => props.onLoad?.(event.currentTarget)}
      style={{ left: `${props.box.left}px`, top: `${props.box.top}px`, width: `${props.box.width}px`, height: `${props.box.height}px` }}
    />
  );
}
