// Filled by the rendezvous work (issue 6).
export {};
