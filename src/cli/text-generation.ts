import type { Neighbour } from '../protocol/trainer-protocol';
import type { TrainerClient } from '../trainer/trainer-client';
import type { RunRecord } from '../trainer/runs';

/** What the report shows of a text model's code space, decoded from the saved run by the trainer. */
export interface TextGeneration {
  interpolation?: { from: string; to: string; lines: string[] };
  samples?: string[];
  /** Whether the samples come from the N(0, I) prior (variational) or a normal fitted to the codes. */
  variational: boolean;
  nearest?: { line: string; neighbours: Neighbour[] };
}

/**
 * For a finished text run: the line between its first two shown samples, eight new lines sampled
 * from the code space, and the lines nearest to the first sample. Undefined for other runs; a failed
 * request leaves its part out (the report is written anyway).
 */
export async function generateForReport(client: TrainerClient, run: RunRecord, runDir: string): Promise<TextGeneration | undefined> {
  const shown = run.reconstructions.at(-1);
  if (!shown?.texts || shown.indices.length === 0) return undefined;
  const [a, b] = [shown.indices[0], shown.indices[1] ?? shown.indices[0]];
  const texts = new Map(shown.indices.map((index, i) => [index, shown.texts![i].input] as const));
  const attempt = async <T>(request: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await request();
    } catch {
      return undefined;
    }
  };
  const interpolation = await attempt(() => client.request({ type: 'generate', runDir, mode: 'interpolate', a, b, steps: 8 }));
  const prior = await attempt(() => client.request({ type: 'generate', runDir, mode: 'prior', steps: 8 }));
  const nearest = await attempt(() => client.request({ type: 'generate', runDir, mode: 'nearest', a, steps: 8 }));
  return {
    interpolation: interpolation?.texts ? { from: texts.get(a)!, to: texts.get(b)!, lines: interpolation.texts } : undefined,
    samples: prior?.texts,
    variational: run.config.variational === true,
    nearest: nearest?.neighbours ? { line: texts.get(a)!, neighbours: nearest.neighbours } : undefined,
  };
}
