/** Calls `run` once input has been quiet for `ms`; `cancel` drops a pending call. */
export function debounce<Args extends unknown[]>(run: (...args: Args) => void, ms: number): { call: (...args: Args) => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    call: (...args) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        run(...args);
      }, ms);
    },
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Hands out increasing tickets; only the newest is current, so late answers to old requests are dropped. */
export function latestOnly(): { next: () => number; isCurrent: (ticket: number) => boolean } {
  let latest = 0;
  return { next: () => ++latest, isCurrent: (ticket) => ticket === latest };
}
