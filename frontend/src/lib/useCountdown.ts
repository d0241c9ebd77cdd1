import { useEffect, useState } from "react";

/** Whole seconds left until `deadline` (epoch ms), ticking once a second; null without a deadline, 0 once it has passed. */
export function useCountdown(deadline: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  const left = deadline === null ? null : secondsLeft(deadline, now);
  useEffect(() => {
    if (deadline === null || secondsLeft(deadline, Date.now()) === 0) return;
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (secondsLeft(deadline, current) === 0) clearInterval(timer);
    }, 1_000);
    return () => clearInterval(timer);
  }, [deadline]);
  return left;
}

export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1_000));
}
