// What a host sends to move an interview through its lifecycle: one copy for every test that does.
export const START_INTERVIEW = 'mutation($id: ID!) { startInterview(id: $id) { status } }';
export const END_INTERVIEW = 'mutation($id: ID!) { endInterview(id: $id) { status } }';
