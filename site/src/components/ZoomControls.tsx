// Zoom buttons shared by every zoomable stage: out, in, fit (the whole picture) and 1:1 (one
// image pixel per CSS pixel), with the current scale in percent of the image's own pixels.
import type { Size, View } from '../lib/zoom.ts';
import { FIT_VIEW, maxZoom, MIN_ZOOM, oneToOneZoom, percentOf, zoomTo } from '../lib/zoom.ts';

export interface ZoomControlsProps {
  view: View;
  setView: (view: View) => void;
  natural: Size;
  stage: Size;
}

export default function ZoomControls(props: ZoomControlsProps) {
  const zoom = (factor: number) => props.setView(zoomTo(props.view, props.view.zoom * factor, props.natural, props.stage));
  const oneToOne = () => oneToOneZoom(props.natural, props.stage);
  return (
    <div class="row zoom-controls" style={{ gap: '6px' }}>
      <button type="button" class="small" onClick={() => zoom(1 / 1.5)} disabled={props.view.zoom <= MIN_ZOOM} aria-label="Zoom out">
        −
      </button>
      <output class="small" aria-live="polite" aria-label="Zoom" data-testid="zoom-percent">
        {percentOf(props.view, props.natural, props.stage)}%
      </output>
      <button
        type="button"
        class="small"
        onClick={() => zoom(1.5)}
        disabled={props.view.zoom >= maxZoom(props.natural, props.stage)}
        aria-label="Zoom in"
      >
        +
      </button>
      <button
        type="button"
        class="small ghost"
        aria-pressed={props.view.zoom === MIN_ZOOM ? 'true' : 'false'}
        onClick={() => props.setView(FIT_VIEW)}
      >
        Fit
      </button>
      <button
        type="button"
        class="small ghost"
        aria-pressed={Math.abs(props.view.zoom - oneToOne()) < 1e-6 ? 'true' : 'false'}
        title="One image pixel per CSS pixel"
        onClick={() => props.setView(zoomTo(props.view, oneToOne(), props.natural, props.stage))}
      >
        1:1
      </button>
    </div>
  );
}
