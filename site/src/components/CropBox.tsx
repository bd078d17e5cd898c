// The crop rectangle drawn over the original: drag it to move, drag a corner to resize; with the
// keyboard, arrow keys move it and Shift+arrow keys resize it. Coordinates are the original's
// pixels as displayed, what CompressOptions.transform.crop takes.
import { For } from 'solid-js';
import { clampCrop, type CropRect } from '../lib/compress-options.ts';

type Grip = 'move' | 'nw' | 'ne' | 'sw' | 'se';

export interface CropBoxProps {
  src: string;
  alt: string;
  original: { width: number; height: number };
  crop: CropRect;
  onChange: (crop: CropRect) => void;
}

/** The rectangle after dragging `grip` by (dx, dy) original pixels from `start`. */
function dragged(start: CropRect, grip: Grip, dx: number, dy: number): CropRect {
  if (grip === 'move') return { ...start, left: start.left + dx, top: start.top + dy };
  const right = start.left + start.width;
  const bottom = start.top + start.height;
  const west = grip === 'nw' || grip === 'sw';
  const north = grip === 'nw' || grip === 'ne';
  const left = west ? Math.min(start.left + dx, right - 1) : start.left;
  const top = north ? Math.min(start.top + dy, bottom - 1) : start.top;
  return {
    left: Math.max(0, left),
    top: Math.max(0, top),
    width: west ? right - Math.max(0, left) : start.width + dx,
    height: north ? bottom - Math.max(0, top) : start.height + dy,
  };
}

export default function CropBox(props: CropBoxProps) {
  let stage!: HTMLDivElement;
  const percent = (value: number, of: number) => `${(100 * value) / of}%`;
  const step = () => Math.max(1, Math.round(Math.max(props.original.width, props.original.height) / 100));

  const startDrag = (grip: Grip) => (event: PointerEvent) => {
    event.preventDefault();
    event.stopPropagation();
    const target = event.currentTarget as HTMLElement;
    target.setPointerCapture(event.pointerId);
    const scale = props.original.width / stage.getBoundingClientRect().width;
    const start = { ...props.crop };
    const [x, y] = [event.clientX, event.clientY];
    const move = (next: PointerEvent) => {
      props.onChange(clampCrop(dragged(start, grip, (next.clientX - x) * scale, (next.clientY - y) * scale), props.original));
    };
    const end = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', end);
      target.removeEventListener('pointercancel', end);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', end);
    target.addEventListener('pointercancel', end);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const delta = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!delta) return;
    event.preventDefault();
    const [dx, dy] = [delta[0]! * step(), delta[1]! * step()];
    const crop = props.crop;
    const next = event.shiftKey
      ? { ...crop, width: crop.width + dx, height: crop.height + dy }
      : { ...crop, left: crop.left + dx, top: crop.top + dy };
    props.onChange(clampCrop(next, props.original));
  };

  return (
    <div class="crop-stage" ref={stage}>
      <img src={props.src} alt={props.alt} draggable={false} />
      <div
        class="crop-box"
        role="group"
        tabindex="0"
        aria-label={`Crop area: ${props.crop.width} × ${props.crop.height} px from ${props.crop.left}, ${props.crop.top}`}
        aria-describedby="crop-help"
        style={{
          left: percent(props.crop.left, props.original.width),
          top: percent(props.crop.top, props.original.height),
          width: percent(props.crop.width, props.original.width),
          height: percent(props.crop.height, props.original.height),
        }}
        onPointerDown={startDrag('move')}
        onKeyDown={onKeyDown}
      >
        <For each={['nw', 'ne', 'sw', 'se'] as const}>
          {(grip) => <span class={`crop-handle ${grip}`} data-grip={grip} aria-hidden="true" onPointerDown={startDrag(grip)} />}
        </For>
      </div>
      <span id="crop-help" class="visually-hidden">
        Drag to move, drag a corner to resize. Arrow keys move the crop; Shift and arrow keys resize it.
      </span>
    </div>
  );
}
