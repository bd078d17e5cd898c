// What a running preview is doing and for how long, with a way to stop it. The API reports no
// progress while it searches, so this says what the search does and counts the seconds.
import { createSignal, onCleanup, onMount } from 'solid-js';
import type { CompressFormState } from '../lib/compress-options.ts';

export function describeSearch(state: Pick<CompressFormState, 'format' | 'mode' | 'quality' | 'targetSsim' | 'maxKilobytes'>): string {
  const formats = state.format === 'AUTO' ? 'JPEG, WebP and AVIF' : state.format;
  if (state.mode === 'ssim')
    return `Searching ${formats} for the smallest file with SSIM ${state.targetSsim}: each try encodes the image and measures it.`;
  if (state.mode === 'size')
    return `Searching ${formats} for the highest quality that fits in ${state.maxKilobytes} KB: each try encodes the image.`;
  return `Encoding ${formats} at quality ${state.quality}.`;
}

export default function SearchProgress(props: { description: string; onCancel: () => void }) {
  const started = Date.now();
  const [seconds, setSeconds] = createSignal(0);
  onMount(() => {
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 250);
    onCleanup(() => clearInterval(timer));
  });
  return (
    <div class="search-status small" role="status" data-testid="search-progress">
      <span class="spinner" aria-hidden="true" />
      <span>{props.description}</span>
      <span class="muted" data-testid="search-elapsed">
        {seconds()} s
      </span>
      <button type="button" class="small ghost" onClick={() => props.onCancel()}>
        Cancel
      </button>
    </div>
  );
}
