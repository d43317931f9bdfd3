// kube-scheduler's DefaultNormalizeScore: scale scores so the best node gets MAX_NODE_SCORE
// (or, reversed, so the node with the highest raw score gets 0).

import { MAX_NODE_SCORE } from '../framework/interfaces.js';

export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = (MAX_NODE_SCORE * scores[i]!) / max;
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}
