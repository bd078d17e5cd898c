// The numbers that say whether a compression is worth it.
import { Show } from 'solid-js';
import { formatBytes, formatSavings, formatSsim } from '../lib/format.ts';

export interface ResultFacts {
  format: string;
  width: number;
  height: number;
  bytes: number;
  quality: number;
  ssim?: number | null;
  savings: number;
}

export default function ResultStats(props: { result: ResultFacts; originalBytes: number }) {
  return (
    <div class="stats" data-testid="result-stats">
      <div class="stat">
        <div class="label">Size</div>
        <div class="value" data-testid="result-size">
          {formatBytes(props.result.bytes)}
        </div>
      </div>
      <div class={`stat ${props.result.savings > 0 ? 'good' : 'bad'}`}>
        <div class="label">Savings</div>
        <div class="value" data-testid="result-savings">
          {formatSavings(props.result.savings)}
        </div>
      </div>
      <Show when={props.result.ssim != null}>
        <div class="stat" title="Structural similarity to the original: 1 is identical">
          <div class="label">SSIM</div>
          <div class="value" data-testid="result-ssim">
            {formatSsim(props.result.ssim)}
          </div>
        </div>
      </Show>
      <div class="stat">
        <div class="label">Output</div>
        <div class="value">
          {props.result.format} · {props.result.width} × {props.result.height}
        </div>
      </div>
      <div class="stat">
        <div class="label">Quality</div>
        <div class="value" data-testid="result-quality">
          {props.result.quality}
        </div>
      </div>
      <span class="visually-hidden">Original size {formatBytes(props.originalBytes)}</span>
    </div>
  );
}
