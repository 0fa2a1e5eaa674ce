// What a scripted candidate sends over graphql-ws: the device its page describes on joining, and
// the operations to join and to report proctoring events. One copy for every test that plays one.
export const DEVICE = { userAgent: 'Mozilla/5.0 (test)', screen: { width: 1920, height: 1080, pixelRatio: 1 }, cameras: 1, microphones: 1 };
export const JOIN_SESSION = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id } }';
export const REPORT_EVENTS =
  'mutation($sessionId: ID!, $events: [EventInput!]!) { reportEvents(sessionId: $sessionId, events: $events) { accepted rejected { seq code message } } }';
