/** A model config that cannot be used; `problems` holds one plain sentence per problem. */
export class ModelConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid model config: ${problems[0]}`
        : `Invalid model config (${problems.length} problems):\n${problems.map((p) => `- ${p}`).join('\n')}`,
    );
    this.name = 'ModelConfigError';
  }
}
