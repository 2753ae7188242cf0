/** Every view of the microscope, registered by importing it (./views.ts). */
import './sockets-view.ts';
import './packets-view.ts';
