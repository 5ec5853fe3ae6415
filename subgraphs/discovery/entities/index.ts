export { SearchDocument, SEARCH_KINDS, type SearchKind } from './search-document.ts';
