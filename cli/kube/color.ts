// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org: any
// non-empty value).

import pc from 'picocolors';
import type { KubeIO } from './io.js';

export type Colors = Pick<ReturnType<typeof pc.createColors>, 'red' | 'green' | 'yellow' | 'bold' | 'dim'>;

export function colorEnabled(io: Pick<KubeIO, 'isTTY' | 'env'>): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}

export function colorsFor(io: Pick<KubeIO, 'isTTY' | 'env'>): Colors {
  return pc.createColors(colorEnabled(io));
}
