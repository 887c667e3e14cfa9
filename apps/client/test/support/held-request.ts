/** A request held on its way to the server: `arrived` once the client has sent it; `release()` lets it go on. */
export interface HeldRequest {
  arrived: Promise<void>;
  release(): void;
}

/** A held request, and `pass()` for the transport: it signals the arrival, then waits for the release. */
export function holdRequest(): { held: HeldRequest; pass(): Promise<void> } {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrive = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return {
    held: { arrived, release: () => release() },
    pass: () => {
      arrive();
      return released;
    },
  };
}
