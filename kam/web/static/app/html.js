// Preact with htm tagged templates: components without a build step.
import { h, render, Fragment } from '../vendor/preact.module.js';
import htm from '../vendor/htm.module.js';

export { h, render, Fragment };
export { useState, useEffect, useRef, useMemo, useCallback } from '../vendor/preact-hooks.module.js';
export const html = htm.bind(h);
