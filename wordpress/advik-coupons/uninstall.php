<?php
/**
 * Runs when the plugin is deleted from Plugins: removes its settings and transients.
 *
 * The coupons themselves live on the service and are not touched.
 *
 * @package AdvikCoupons
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Removes the plugin's option and transients from one site.
 */
function advik_coupons_uninstall_site(): void {
	global $wpdb;
	delete_option( 'advik_coupons_settings' );
	// Seen webhook ids and "Test connection" results: transients named advik_coupons_*.
	$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a one-off clean-up of our transients.
		$wpdb->prepare(
			"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
			$wpdb->esc_like( '_transient_advik_coupons_' ) . '%',
			$wpdb->esc_like( '_transient_timeout_advik_coupons_' ) . '%'
		)
	);
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $advik_coupons_site ) {
		switch_to_blog( (int) $advik_coupons_site );
		advik_coupons_uninstall_site();
		restore_current_blog();
	}
} else {
	advik_coupons_uninstall_site();
}
