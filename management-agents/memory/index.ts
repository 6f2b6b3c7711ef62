export { createMemoryAgent } from './memory-agent.ts';
export { MemorySystem, memorySystem, memorySystems, type Failure } from './memory-system.ts';
