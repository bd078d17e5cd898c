// Zoom and pan for the compare view, as pure functions of the current view.
export interface View {
  zoom: number;
  /** Pan offset in screen pixels, applied after scaling. */
  x: number;
  y: number;
}

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 8;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Keeps the picture covering the stage: at zoom z it may move (z - 1) / 2 of the stage each way. */
export function clampPan(view: View, stage: { width: number; height: number }): View {
  const limitX = ((view.zoom - 1) * stage.width) / 2;
  const limitY = ((view.zoom - 1) * stage.height) / 2;
  // `+ 0` turns -0 into 0, so an unpanned view reads translate(0px, 0px).
  return { zoom: view.zoom, x: Math.min(limitX, Math.max(-limitX, view.x)) + 0, y: Math.min(limitY, Math.max(-limitY, view.y)) + 0 };
}

/** Zooms to `zoom`, scaling the pan so the stage's centre keeps showing the same spot. */
export function zoomTo(view: View, zoom: number, stage: { width: number; height: number }): View {
  const next = clampZoom(zoom);
  const ratio = next / view.zoom;
  return clampPan({ zoom: next, x: view.x * ratio, y: view.y * ratio }, stage);
}

export function transformOf(view: View): string {
  return `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
}
