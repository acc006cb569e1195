import type { Filter } from '../core/components.js';

/**
 * The pipeline's filters' `redactText`, in filter order, as one function: what raw record text
 * and messages that may quote it pass through before they leave the process (the dead-letter,
 * `sluice parse` stderr). The identity when no filter redacts.
 */
export function rawTextRedactor(filters: readonly Filter[]): (text: string) => string {
  const steps: Array<(text: string) => string> = [];
  for (const filter of filters) if (filter.redactText) steps.push(filter.redactText.bind(filter));
  if (steps.length === 0) return (text) => text;
  return (text) => {
    let redacted = text;
    for (const step of steps) redacted = step(redacted);
    return redacted;
  };
}
