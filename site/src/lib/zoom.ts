// Zoom and pan for the compare view and the previews, as pure functions. A view is kept apart
// from any stage's size (a zoom over "fit" and the picture's point at the stage's centre), so the
// same view can be drawn on stages of different sizes: slider, side by side, a dialog, a resize.
export interface View {
  /** Times the fit scale: 1 shows the whole picture (never enlarged past its own pixels). */
  zoom: number;
  /** The picture's point at the stage's centre, as fractions of its width and height. */
  centreX: number;
  centreY: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Where the picture goes on the stage, in CSS pixels from the stage's top left corner. */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const MIN_ZOOM = 1;
/** Zoom beyond 1:1 stops here (times the image's own pixels), however small the fit scale is. */
const MAX_PIXEL_SCALE = 8;

export const FIT_VIEW: View = { zoom: 1, centreX: 0.5, centreY: 0.5 };

/** The scale that shows the whole picture in the stage, at most 1 (one image pixel per CSS pixel). */
export function fitScale(natural: Size, stage: Size): number {
  if (natural.width <= 0 || natural.height <= 0 || stage.width <= 0 || stage.height <= 0) return 1;
  return Math.min(1, stage.width / natural.width, stage.height / natural.height);
}

/** The zoom at which one image pixel covers one CSS pixel. */
export function oneToOneZoom(natural: Size, stage: Size): number {
  return 1 / fitScale(natural, stage);
}

export function maxZoom(natural: Size, stage: Size): number {
  return Math.max(MIN_ZOOM, MAX_PIXEL_SCALE / fitScale(natural, stage));
}

export function clampZoom(zoom: number, natural: Size, stage: Size): number {
  return Math.min(maxZoom(natural, stage), Math.max(MIN_ZOOM, zoom));
}

/** One axis: centred when the picture is narrower than the stage, else kept covering it. */
function placeAxis(stageLength: number, length: number, centre: number): number {
  if (length <= stageLength) return (stageLength - length) / 2;
  const start = stageLength / 2 - centre * length;
  return Math.min(0, Math.max(stageLength - length, start));
}

export function placement(view: View, natural: Size, stage: Size): Placement {
  const scale = fitScale(natural, stage) * view.zoom;
  const width = natural.width * scale;
  const height = natural.height * scale;
  return { left: placeAxis(stage.width, width, view.centreX), top: placeAxis(stage.height, height, view.centreY), width, height };
}

/** The view as it is actually drawn: its centre moved to where the placement's clamping put it. */
export function settle(view: View, natural: Size, stage: Size): View {
  const box = placement(view, natural, stage);
  return {
    zoom: view.zoom,
    centreX: box.width > 0 ? (stage.width / 2 - box.left) / box.width : 0.5,
    centreY: box.height > 0 ? (stage.height / 2 - box.top) / box.height : 0.5,
  };
}

/** Moves the picture by (dx, dy) CSS pixels on the stage; it stops at its edges. */
export function panBy(view: View, dx: number, dy: number, natural: Size, stage: Size): View {
  const current = settle(view, natural, stage);
  const box = placement(current, natural, stage);
  return settle(
    {
      zoom: view.zoom,
      centreX: current.centreX - (box.width > 0 ? dx / box.width : 0),
      centreY: current.centreY - (box.height > 0 ? dy / box.height : 0),
    },
    natural,
    stage,
  );
}

/** Zooms to `zoom`, keeping the picture's point at the stage's centre where it is. */
export function zoomTo(view: View, zoom: number, natural: Size, stage: Size): View {
  return settle({ ...settle(view, natural, stage), zoom: clampZoom(zoom, natural, stage) }, natural, stage);
}

/** The scale shown to people, in percent of the image's own pixels. */
export function percentOf(view: View, natural: Size, stage: Size): number {
  return Math.round(fitScale(natural, stage) * view.zoom * 100);
}
