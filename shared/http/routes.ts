/**
 * The HTTP API: every route of the contract, the function that serves it, and whether the
 * JWT authorizer guards it. The CDK api construct and the embedded server both read this
 * list, so a route exists in both or in neither.
 */
export const API_FUNCTIONS = [
  'health',
  'catalog',
  'verify-license',
  'uploads',
  'submit-application',
  'read-applications',
  'correct-application',
  'withdraw-application',
  'list-tasks',
  'complete-task',
  'get-license',
  'blacklist',
  'application-clock',
  'evaluate-application',
  'read-audit',
  'supervision',
  'ems-webhook',
  'record-pickup',
  'revoke-license',
  'redrive-flow',
  'calendar',
  'seal-keys',
  'license-seal',
  'read-events',
  'deliveries',
] as const;

/** Functions run on a schedule. */
export const SCHEDULED_FUNCTIONS = ['supervision-scan', 'sweep-uploads'] as const;

/**
 * Functions run by an event: record-failure on a flow execution's status change (FAILED, TIMED_OUT);
 * relay on the outbox's DynamoDB stream; deliver-events on the subscribers' and the callbacks' SQS queues.
 */
export const EVENT_FUNCTIONS = ['record-failure', 'relay', 'deliver-events'] as const;
export type ApiFunction = (typeof API_FUNCTIONS)[number];

/** Functions the state machines invoke; `${<Name>FunctionArn}` in the ASL names them. */
export const FLOW_FUNCTIONS = {
  OpenTask: 'open-task',
  ConcludeJointReview: 'conclude-joint-review',
  SealLicenses: 'seal-licenses',
  Deliver: 'deliver',
} as const;
export type FlowFunction = (typeof FLOW_FUNCTIONS)[keyof typeof FLOW_FUNCTIONS];

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  fn: ApiFunction;
  auth: boolean;
}

export const ROUTES: Route[] = [
  { method: 'GET', path: '/v1/health', fn: 'health', auth: false },
  { method: 'GET', path: '/v1/openapi.json', fn: 'health', auth: false },
  { method: 'GET', path: '/v1/catalog/items', fn: 'catalog', auth: false },
  { method: 'GET', path: '/v1/catalog/items/{itemCode}', fn: 'catalog', auth: false },
  { method: 'GET', path: '/v1/licenses/{licenseNo}/verify', fn: 'verify-license', auth: false },
  { method: 'POST', path: '/v1/licenses/{licenseNo}/verify', fn: 'verify-license', auth: false },
  { method: 'GET', path: '/v1/seal/keys', fn: 'seal-keys', auth: false },
  // EMS authenticates with its HMAC signature, checked by the function on the raw body.
  { method: 'POST', path: '/v1/webhooks/ems', fn: 'ems-webhook', auth: false },
  { method: 'POST', path: '/v1/uploads', fn: 'uploads', auth: true },
  { method: 'POST', path: '/v1/applications', fn: 'submit-application', auth: true },
  { method: 'GET', path: '/v1/applications', fn: 'read-applications', auth: true },
  { method: 'GET', path: '/v1/applications/{applicationId}', fn: 'read-applications', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/corrections', fn: 'correct-application', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/withdraw', fn: 'withdraw-application', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/evaluation', fn: 'evaluate-application', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/suspend', fn: 'application-clock', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/resume', fn: 'application-clock', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/extend', fn: 'application-clock', auth: true },
  { method: 'GET', path: '/v1/applications/{applicationId}/audit', fn: 'read-audit', auth: true },
  { method: 'GET', path: '/v1/supervision/lights', fn: 'supervision', auth: true },
  { method: 'GET', path: '/v1/supervision/cases', fn: 'supervision', auth: true },
  { method: 'GET', path: '/v1/supervision/stats', fn: 'supervision', auth: true },
  { method: 'GET', path: '/v1/tasks', fn: 'list-tasks', auth: true },
  { method: 'POST', path: '/v1/tasks/{taskId}/complete', fn: 'complete-task', auth: true },
  { method: 'GET', path: '/v1/licenses/{licenseNo}', fn: 'get-license', auth: true },
  { method: 'GET', path: '/v1/licenses/{licenseNo}/seal', fn: 'license-seal', auth: true },
  { method: 'POST', path: '/v1/licenses/{licenseNo}/revoke', fn: 'revoke-license', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/pickup', fn: 'record-pickup', auth: true },
  { method: 'PUT', path: '/v1/blacklist/{subjectId}', fn: 'blacklist', auth: true },
  { method: 'DELETE', path: '/v1/blacklist/{subjectId}', fn: 'blacklist', auth: true },
  { method: 'GET', path: '/v1/blacklist/{subjectId}', fn: 'blacklist', auth: true },
  { method: 'POST', path: '/v1/applications/{applicationId}/redrive', fn: 'redrive-flow', auth: true },
  { method: 'GET', path: '/v1/calendar/{year}', fn: 'calendar', auth: false },
  { method: 'PUT', path: '/v1/calendar/{year}', fn: 'calendar', auth: true },
  { method: 'GET', path: '/v1/events', fn: 'read-events', auth: true },
  { method: 'GET', path: '/v1/admin/deliveries', fn: 'deliveries', auth: true },
  { method: 'POST', path: '/v1/admin/deliveries/{deliveryId}/retry', fn: 'deliveries', auth: true },
];
