/** Set when a new version of the app has installed and waits for the next load (the page says so). */
export const appUpdate = $state({ ready: false });
