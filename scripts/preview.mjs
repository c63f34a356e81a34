#!/usr/bin/env node
// The serving half of `npm start`: `vite preview` of the built app on the port the README names.
// Through Vite's API rather than its CLI so that a taken port is one plain line, not a stack trace.
import { preview } from 'vite';

const PORT = 5173;
try {
  const server = await preview({ preview: { port: PORT, strictPort: true, open: false } });
  server.printUrls();
} catch (err) {
  if (/already in use/i.test(String(err?.message))) {
    console.error(`Port ${PORT} is already in use by another program. Stop it, or serve on another port: npx vite preview --port 5180`);
  } else {
    console.error(`Could not start the server: ${err?.message ?? err}`);
  }
  process.exit(1);
}
