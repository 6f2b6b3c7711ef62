/** Errors raised by agents. The class says whether trying again can help. */

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly agent: string,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(`[${agent}] ${message}`, options);
  }
}

/** The connected system cannot be reached: the step fails cleanly and can be run again. */
export class AgentUnavailableError extends AgentError {
  override name = 'AgentUnavailableError';
  constructor(agent: string, message: string, options?: { cause?: unknown }) {
    super(agent, message, true, options);
  }
}
