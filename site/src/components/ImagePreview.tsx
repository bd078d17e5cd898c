// One preview for every image the site shows before it is stored: a local File (object URL, never
// sent anywhere), an API result (base64 bytes, shown through a Blob URL) or a plain URL.
import { createEffect, createSignal, onCleanup, Show, type JSX } from 'solid-js';

export type PreviewSource =
  | { kind: 'file'; file: Blob }
  | { kind: 'base64'; base64: string; mimeType: string }
  | { kind: 'url'; url: string };

export interface ImagePreviewProps {
  source: PreviewSource | null;
  alt: string;
  /** Natural size once decoded; null when the browser cannot decode it. */
  onDimensions?: (dimensions: { width: number; height: number } | null) => void;
  class?: string;
  style?: JSX.CSSProperties;
  busy?: boolean;
  children?: JSX.Element;
}

export function base64ToBlob(base64: string, mimeType: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mimeType });
}

export default function ImagePreview(props: ImagePreviewProps) {
  const [url, setUrl] = createSignal<string | null>(null);
  const [failed, setFailed] = createSignal(false);

  createEffect(() => {
    const source = props.source;
    setFailed(false);
    if (!source) return setUrl(null);
    if (source.kind === 'url') return setUrl(source.url);
    const blob = source.kind === 'file' ? source.file : base64ToBlob(source.base64, source.mimeType);
    const objectUrl = URL.createObjectURL(blob);
    setUrl(objectUrl);
    onCleanup(() => URL.revokeObjectURL(objectUrl));
  });

  return (
    <div class={`preview-box ${props.class ?? ''}`} style={props.style} aria-busy={props.busy ? 'true' : undefined}>
      <Show when={url() && !failed()} fallback={<span class="muted small">{failed() ? 'No preview for this file' : ''}</span>}>
        <img
          src={url()!}
          alt={props.alt}
          onLoad={(event) => props.onDimensions?.({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
          onError={() => {
            setFailed(true);
            props.onDimensions?.(null);
          }}
        />
      </Show>
      {props.children}
    </div>
  );
}
