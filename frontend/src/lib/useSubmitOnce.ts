import { useRef } from "react";

/**
 * A guard that holds from the first submit until its request settles. A disabled button is not
 * enough: React disables it on the next render, and a double click (or Enter pressed twice)
 * lands before that.
 */
export function useSubmitOnce() {
  const inFlight = useRef(false);
  return {
    run(start: (done: () => void) => void) {
      if (inFlight.current) return;
      inFlight.current = true;
      start(() => {
        inFlight.current = false;
      });
    },
  };
}
